using System.Globalization;
using Solstice.Observability;
using Solstice.Observability.Formats;

namespace Solstice.Cli.Commands.Observe;

/// <summary>
/// SmartOS's per-zone observability tools, run by name (symlinks to solstice): zonememstat,
/// prstat (-Z), vfsstat and ziostat. They read cgroup files and /proc through Solstice.Observability.
/// </summary>
public static class ObserveTools
{
    public static IReadOnlyList<string> Names { get; } = ["zonememstat", "prstat", "vfsstat", "ziostat"];

    public static bool TryGet(string name, out Func<IReadOnlyList<string>, CliContext, int> tool)
    {
        tool = name switch
        {
            "zonememstat" => Zonememstat,
            "prstat" => Prstat,
            "vfsstat" => (a, c) => IoStat("vfsstat", a, c),
            "ziostat" => (a, c) => IoStat("ziostat", a, c),
            _ => null!,
        };
        return tool is not null;
    }

    /// <summary>A sampler over the host's cgroups; SOLSTICE_CGROUP_ROOT and SOLSTICE_PROC_ROOT point it at captured trees (tests, benchmarks).</summary>
    public static NodeSampler Sampler(CliContext context, IZoneDirectory? directory = null)
    {
        string root = Environment.GetEnvironmentVariable("SOLSTICE_CGROUP_ROOT") ?? CgroupLayout.DefaultRoot;
        string proc = Environment.GetEnvironmentVariable("SOLSTICE_PROC_ROOT") ?? "/proc";
        return new NodeSampler(CgroupLayout.Detect(root), directory ?? new DaemonZoneDirectory(context.SocketPath), proc);
    }

    public const string ZonememstatUsage = "usage: zonememstat [-aHotO] [-z zonename]";

    public static int Zonememstat(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "aHhotOp", "z");
        if (a.Has('h'))
        {
            context.Out.WriteLine(ZonememstatUsage);
            return 0;
        }
        if (a.Has('p'))
            throw new UsageException("-p (per-process memory segments from pmap) is not available on Linux; see docs/observability.md\n" + ZonememstatUsage);
        if (a.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{a.Positional[0]}'\n{ZonememstatUsage}");
        var directory = new DaemonZoneDirectory(context.SocketPath);
        var node = Sampler(context, directory).Sample(SampleParts.Cgroups | SampleParts.MemoryOnly);
        context.Out.Write(ZonememstatFormat.Render(node, new ZonememstatOptions
        {
            Alias = a.Has('a'),
            Header = !a.Has('H'),
            OverOnly = a.Has('o'),
            Total = a.Has('t'),
            Oom = a.Has('O'),
            Zone = a.Value('z'),
            KnownAliases = directory.Zones().Values.Select(z => z.Alias).OfType<string>().ToList(),
        }));
        return 0;
    }

    public const string PrstatUsage = "usage: prstat -Z [-n ntop[,nbottom]] [interval [count]]";

    public static int Prstat(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "Zch", "n");
        if (a.Has('h'))
        {
            context.Out.WriteLine(PrstatUsage);
            return 0;
        }
        if (!a.Has('Z'))
            throw new UsageException("only the per-zone report (-Z) is available\n" + PrstatUsage);
        int ntop = 15, nbottom = 5;
        if (a.Value('n') is { } n)
        {
            var parts = n.Split(',');
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ntop)
                || parts.Length > 1 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out nbottom) || parts.Length > 2)
                throw new UsageException($"invalid argument for -n: {n}\n{PrstatUsage}");
        }
        var (interval, count) = IntervalCount(a.Positional, PrstatUsage, defaultCount: int.MaxValue, defaultInterval: 5);
        var sampler = Sampler(context);
        var users = new UserNames();
        NodeSnapshot? previous = null;
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
                Thread.Sleep(TimeSpan.FromSeconds(interval));
            var now = sampler.Sample(SampleParts.Cgroups | SampleParts.Processes);
            context.Out.Write(PrstatFormat.Render(now, previous, ntop, nbottom, users.Name));
            context.Out.Flush();
            previous = now;
        }
        return 0;
    }

    public static int IoStat(string tool, IReadOnlyList<string> args, CliContext context)
    {
        string usage = $"USAGE: {tool} [-hIMrzZ] [interval [count]]";
        var a = Arguments.Parse(args, "hIMrzZ", "");
        if (a.Has('h'))
        {
            context.Out.WriteLine(usage);
            return 0;
        }
        // With no interval, one report since each zone started; with one, reports until count.
        var (interval, count) = a.Positional.Count == 0 ? (0, 1) : IntervalCount(a.Positional, usage, defaultCount: int.MaxValue, defaultInterval: 1);
        var options = new IoStatOptions
        {
            PerInterval = a.Has('I'),
            Megabytes = a.Has('M'),
            Comma = a.Has('r'),
            HideIdle = a.Has('z'),
            AllZones = a.Has('Z'),
        };
        var sampler = Sampler(context);
        var parts = tool == "vfsstat" ? SampleParts.Cgroups | SampleParts.Vfs : SampleParts.Cgroups | SampleParts.Vfs;
        NodeSnapshot? previous = null;
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
                Thread.Sleep(TimeSpan.FromSeconds(interval));
            var now = sampler.Sample(parts);
            context.Out.Write(tool == "vfsstat" ? VfsstatFormat.Render(now, previous, options) : ZiostatFormat.Render(now, previous, options));
            context.Out.Flush();
            previous = now;
        }
        return 0;
    }

    /// <summary>"[interval [count]]" operands: a positive interval in seconds and a positive count.</summary>
    public static (double Interval, int Count) IntervalCount(IReadOnlyList<string> operands, string usage, int defaultCount, double defaultInterval)
    {
        if (operands.Count > 2)
            throw new UsageException($"too many operands\n{usage}");
        double interval = defaultInterval;
        int count = defaultCount;
        if (operands.Count > 0 && (!double.TryParse(operands[0], NumberStyles.Float, CultureInfo.InvariantCulture, out interval) || interval <= 0 || double.IsInfinity(interval)))
            throw new UsageException($"invalid interval '{operands[0]}'\n{usage}");
        if (operands.Count > 1 && (!int.TryParse(operands[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count <= 0))
            throw new UsageException($"invalid count '{operands[1]}'\n{usage}");
        return (interval, count);
    }

    /// <summary>uid → login name from /etc/passwd (the number when unknown), read once.</summary>
    private sealed class UserNames
    {
        private Dictionary<int, string>? _names;

        public string Name(int uid)
        {
            _names ??= Load();
            return _names.TryGetValue(uid, out var name) ? name : uid.ToString(CultureInfo.InvariantCulture);
        }

        private static Dictionary<int, string> Load()
        {
            var names = new Dictionary<int, string>();
            if (CgroupFiles.TryRead("/etc/passwd") is { } passwd)
                foreach (var line in passwd.Split('\n'))
                {
                    var f = line.Split(':');
                    if (f.Length > 2 && int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int uid))
                        names.TryAdd(uid, f[0]);
                }
            return names;
        }
    }
}
