using System.Globalization;
using System.Text;
using Solstice.Observability;

namespace Solstice.Cli.Commands.Observe;

/// <summary>
/// `solstice top`: every zone's CPU, memory against its cap, network and disk, redrawn in place
/// each interval from the same samples as prstat and zonememstat. Keys: c, m, n, d sort by CPU,
/// memory, network, disk; q quits.
/// </summary>
public static class TopCommand
{
    public const string Usage = "usage: solstice top [-s cpu|mem|net|disk] [-b] [interval [count]]\n  -b  batch: print each screen after the last, no redrawing or keys";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "bh", "s");
        if (a.Has('h'))
        {
            context.Out.WriteLine(Usage);
            return 0;
        }
        string sort = a.Value('s') ?? "cpu";
        if (sort is not ("cpu" or "mem" or "net" or "disk"))
            throw new UsageException($"invalid sort '{sort}'\n{Usage}");
        var (interval, count) = ObserveTools.IntervalCount(a.Positional, Usage, int.MaxValue, 2);
        bool batch = a.Has('b') || Console.IsOutputRedirected || Console.IsInputRedirected;
        var sampler = ObserveTools.Sampler(context);
        var previous = sampler.Sample(SampleParts.Cgroups | SampleParts.Network);
        for (int i = 0; i < count; i++)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(i == 0 ? Math.Min(interval, 1) : interval);
            while (DateTime.UtcNow < deadline)
            {
                if (!batch && Console.KeyAvailable)
                {
                    switch (Console.ReadKey(intercept: true).KeyChar)
                    {
                        case 'q': return 0;
                        case 'c': sort = "cpu"; break;
                        case 'm': sort = "mem"; break;
                        case 'n': sort = "net"; break;
                        case 'd': sort = "disk"; break;
                    }
                    break;
                }
                Thread.Sleep(50);
            }
            var now = sampler.Sample(SampleParts.Cgroups | SampleParts.Network);
            string screen = Render(now, previous, sort, batch ? int.MaxValue : Math.Max(5, Console.WindowHeight - 4));
            // Home and clear-to-end redraw in place, as prstat does on a terminal.
            context.Out.Write(batch ? screen + "\n" : "\u001b[H\u001b[J" + screen);
            context.Out.Flush();
            previous = now;
        }
        return 0;
    }

    public sealed record Row(string Zone, double Cpu, double? CapPct, long Rss, long? Cap, double NetKBs, double DiskKBs);

    public static IReadOnlyList<Row> Rows(NodeSnapshot now, NodeSnapshot previous)
    {
        double elapsed = Math.Max(1e-3, now.Time - previous.Time);
        var rows = new List<Row>();
        foreach (var z in now.Zones.Where(z => !z.IsGlobal))
        {
            var before = previous.Zones.FirstOrDefault(o => o.Name == z.Name);
            var c = z.Cgroup;
            double cpu = before?.Cgroup.CpuUsageNanos is long b && c.CpuUsageNanos is long u && u >= b ? (u - b) / 1e9 / elapsed * 100 : 0;
            double? cap = c.CpuQuotaMicros is long q && c.CpuPeriodMicros is long p && p > 0 ? 100.0 * q / p : null;
            long net = z.Nics.Sum(n => n.RxBytes + n.TxBytes) - (before?.Nics.Sum(n => n.RxBytes + n.TxBytes) ?? 0);
            long disk = (c.Io?.ReadBytes + c.Io?.WriteBytes ?? 0) - (before?.Cgroup.Io?.ReadBytes + before?.Cgroup.Io?.WriteBytes ?? 0);
            string name = string.IsNullOrEmpty(z.Alias) ? z.Name : $"{z.Alias} ({z.Name[..8]})";
            rows.Add(new Row(name, cpu, cap, c.RssBytes ?? 0, c.MemoryLimitBytes, Math.Max(0, net) / 1024.0 / elapsed, Math.Max(0, disk) / 1024.0 / elapsed));
        }
        return rows;
    }

    public static string Render(NodeSnapshot now, NodeSnapshot previous, string sort, int maxRows)
    {
        var rows = Rows(now, previous);
        rows = (sort switch
        {
            "mem" => rows.OrderByDescending(r => r.Rss),
            "net" => rows.OrderByDescending(r => r.NetKBs),
            "disk" => rows.OrderByDescending(r => r.DiskKBs),
            _ => rows.OrderByDescending(r => r.Cpu),
        }).ThenBy(r => r.Zone, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        var (one, five, fifteen) = now.LoadAverage;
        sb.Append(CultureInfo.InvariantCulture, $"solstice top: {rows.Count} zones, load {one:F2} {five:F2} {fifteen:F2}, sorted by {sort} (keys c m n d, q quits)\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"ZONE",-40} {"CPU%",6} {"CAP%",5} {"RSS(MB)",8} {"CAP(MB)",8} {"MEM%",5} {"NET KB/s",9} {"DISK KB/s",9}\n");
        foreach (var r in rows.Take(maxRows))
        {
            string cap = r.CapPct is double c ? c.ToString("F0", CultureInfo.InvariantCulture) : "-";
            string memCap = r.Cap is long m ? (m >> 20).ToString(CultureInfo.InvariantCulture) : "-";
            string memPct = r.Cap is long mm && mm > 0 ? (100.0 * r.Rss / mm).ToString("F0", CultureInfo.InvariantCulture) : "-";
            sb.Append(CultureInfo.InvariantCulture,
                $"{(r.Zone.Length > 40 ? r.Zone[..40] : r.Zone),-40} {r.Cpu,6:F1} {cap,5} {r.Rss >> 20,8} {memCap,8} {memPct,5} {r.NetKBs,9:F1} {r.DiskKBs,9:F1}\n");
        }
        return sb.ToString();
    }
}
