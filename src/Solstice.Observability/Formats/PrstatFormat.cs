using System.Globalization;
using System.Text;

namespace Solstice.Observability.Formats;

/// <summary>
/// prstat -Z's two tables (illumos prstat.c: the process table, then the per-zone table and the
/// Total line), with prutil.c's size, time and percent formats. CPU and MEMORY are percentages of
/// the whole machine as in prstat: a zone capped at one CPU's 10% shows 5% on two CPUs.
/// </summary>
public static class PrstatFormat
{
    public const string ProcessHeader = "   PID USERNAME  SIZE   RSS STATE  PRI NICE      TIME  CPU PROCESS/NLWP       ";
    public const string ZoneHeader = "ZONEID    NPROC  SWAP   RSS MEMORY      TIME  CPU ZONE                        ";

    /// <param name="previous">The sample before, for CPU over the interval; null for the first report (CPU since each process started).</param>
    /// <param name="userName">uid → login name.</param>
    public static string Render(NodeSnapshot now, NodeSnapshot? previous, int topProcesses, int topZones, Func<int, string> userName)
    {
        var sb = new StringBuilder();
        var oldTimes = previous?.Zones.SelectMany(z => z.Processes).ToDictionary(p => p.Pid, p => p) ?? [];
        double elapsed = previous is null ? 0 : now.Time - previous.Time;
        int cpus = Math.Max(1, now.CpuCount);
        double ProcessPct(ProcessSample p)
        {
            long ticks = p.UserTicks + p.SystemTicks;
            double seconds;
            if (previous is not null && elapsed > 0 && oldTimes.TryGetValue(p.Pid, out var old) && old.StartTicks == p.StartTicks)
            {
                ticks -= old.UserTicks + old.SystemTicks;
                seconds = elapsed;
            }
            else
                seconds = now.HostUptimeSeconds - p.StartTicks / (double)ProcFiles.TicksPerSecond;
            return seconds <= 0 ? 0 : 100.0 * ticks / ProcFiles.TicksPerSecond / seconds / cpus;
        }
        var processes = now.Zones.SelectMany(z => z.Processes).Select(p => (P: p, Pct: ProcessPct(p)))
            .OrderByDescending(x => x.Pct).ThenByDescending(x => x.P.UserTicks + x.P.SystemTicks).ToList();
        sb.Append(ProcessHeader).Append('\n');
        foreach (var (p, pct) in processes.Take(topProcesses))
        {
            sb.Append(CFormat.R(p.Pid.ToString(CultureInfo.InvariantCulture), 6)).Append(' ')
              .Append(CFormat.L(userName(p.Uid), 8)).Append(' ')
              .Append(CFormat.R(Size(p.VirtualBytes / 1024), 5)).Append(' ')
              .Append(CFormat.R(Size(p.RssPages * CgroupReader.PageSize / 1024), 5)).Append(' ')
              .Append(CFormat.L(State(p.State), 6)).Append(' ')
              .Append(CFormat.R(Num(p.Priority), 3)).Append("  ")
              .Append(CFormat.R(Num(p.Nice), 3)).Append(' ')
              .Append(CFormat.R(Time((p.UserTicks + p.SystemTicks) / ProcFiles.TicksPerSecond), 9)).Append(' ')
              .Append(CFormat.R(Trunc(Pct(pct), 3), 3)).Append("% ")
              .Append(Trunc(p.Command, 16)).Append('/').Append(p.Threads.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var zones = new List<(ZoneSnapshot Z, double Cpu, double Mem, long Time)>();
        foreach (var z in now.Zones)
        {
            double cpu = z.Processes.Sum(ProcessPct);
            var before = previous?.Zones.FirstOrDefault(o => o.Name == z.Name);
            if (!z.IsGlobal && before?.Cgroup.CpuUsageNanos is long b && z.Cgroup.CpuUsageNanos is long a && elapsed > 0 && a >= b)
                cpu = (a - b) / 1e9 / elapsed / cpus * 100; // the cgroup counts processes that exited in the interval too
            double mem = now.PhysicalMemoryBytes > 0 ? 100.0 * (z.Cgroup.RssBytes ?? 0) / now.PhysicalMemoryBytes : 0;
            long time = z.Processes.Sum(p => (p.UserTicks + p.SystemTicks) / ProcFiles.TicksPerSecond);
            zones.Add((z, cpu, mem, time));
        }
        sb.Append(ZoneHeader).Append('\n');
        foreach (var (z, cpu, mem, time) in zones.OrderByDescending(x => x.Cpu).ThenBy(x => x.Z.ZoneId).Take(topZones))
        {
            var c = z.Cgroup;
            long swapBytes = (c.RssBytes ?? 0) + Math.Max(0, (c.SwapUsageBytes ?? 0) - (c.MemoryUsageBytes ?? 0));
            if (z.IsGlobal)
                swapBytes = c.RssBytes ?? 0;
            sb.Append(CFormat.R(z.ZoneId.ToString(CultureInfo.InvariantCulture), 6)).Append(' ')
              .Append(CFormat.R(z.Processes.Count.ToString(CultureInfo.InvariantCulture), 8)).Append(' ')
              .Append(CFormat.R(Size(swapBytes / 1024), 5)).Append(' ')
              .Append(CFormat.R(Size((c.RssBytes ?? 0) / 1024), 5)).Append("   ")
              .Append(CFormat.R(Trunc(Pct(mem), 3), 3)).Append("% ")
              .Append(CFormat.R(Time(time), 9)).Append(' ')
              .Append(CFormat.R(Trunc(Pct(cpu), 3), 3)).Append("% ")
              .Append(CFormat.L(z.Name, 28)).Append('\n');
        }
        var (one, five, fifteen) = now.LoadAverage;
        int procs = processes.Count;
        int lwps = processes.Sum(x => x.P.Threads);
        sb.Append(CultureInfo.InvariantCulture, $"Total: {procs} processes, {lwps} lwps, load averages: {one:F2}, {five:F2}, {fifteen:F2}\n");
        return sb.ToString();
    }

    /// <summary>prutil.c Format_size: kilobytes as "%4d" with K, M or G, rounding at each step past 10000.</summary>
    public static string Size(long kb)
    {
        char tag = 'K';
        if (kb >= 10000)
        {
            kb = (kb + 512) / 1024;
            tag = 'M';
            if (kb >= 10000)
            {
                kb = (kb + 512) / 1024;
                tag = 'G';
            }
        }
        return kb.ToString(CultureInfo.InvariantCulture).PadLeft(4) + tag;
    }

    /// <summary>prutil.c Format_time: "%3d:%2.2d:%2.2d".</summary>
    public static string Time(long seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600,3}:{seconds % 3600 / 60:D2}:{seconds % 60:D2}");

    /// <summary>prutil.c Format_pct: clamped to 0..100, one decimal below 9.95, none from there.</summary>
    public static string Pct(double value)
    {
        value = Math.Clamp(value, 0, 100);
        return value < 9.95 ? value.ToString("F1", CultureInfo.InvariantCulture) : value.ToString("F0", CultureInfo.InvariantCulture);
    }

    /// <summary>prutil.c Format_num: "%3d", then thousands as "%2dK", then ".NM".</summary>
    public static string Num(int n) => n >= 100000 ? $".{n / 100000}M"
        : n >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{n / 1000,2}K")
        : n.ToString(CultureInfo.InvariantCulture).PadLeft(3);

    /// <summary>Linux states in prstat's words: R run, S/D/I sleep, T/t stop, Z zombie.</summary>
    public static string State(char state) => state switch
    {
        'R' => "run",
        'S' or 'D' or 'I' => "sleep",
        'T' or 't' => "stop",
        'Z' or 'X' => "zombie",
        _ => "?",
    };

    private static string Trunc(string s, int max) => s.Length <= max ? s : s[..max];
}
