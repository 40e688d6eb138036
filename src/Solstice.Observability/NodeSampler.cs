using System.Diagnostics;
using System.Globalization;

namespace Solstice.Observability;

/// <summary>
/// Takes <see cref="NodeSnapshot"/>s: every zone's cgroup, and, when asked, the processes of each
/// zone and of the host (global), their VFS counters and the zones' nics. Roots are parameters so
/// tests can sample captured trees. A zone that stops while being read is left out.
/// </summary>
public sealed class NodeSampler(CgroupLayout layout, IZoneDirectory directory, string procRoot = "/proc")
{
    private readonly CgroupReader _reader = new(layout);

    public CgroupLayout Layout => layout;

    public NodeSnapshot Sample(SampleParts parts)
    {
        double now = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        var names = directory.Zones();
        var uuids = layout.ZoneUuids();
        var zones = new List<ZoneSnapshot>(uuids.Count + 1);
        var zonePids = new HashSet<int>();
        double hostUptime = ReadUptime();
        int id = 0;
        foreach (string uuid in uuids)
        {
            id++;
            var stats = _reader.ReadZone(uuid, (parts & SampleParts.MemoryOnly) != 0);
            if (stats is null)
                continue; // stopped between listing and reading
            if ((parts & (SampleParts.Processes | SampleParts.Vfs | SampleParts.Network)) != 0)
            {
                var pids = AllPids(CgroupLayout.ZoneRelative(uuid), stats.Pids);
                stats = stats with { Pids = pids };
                zonePids.UnionWith(pids);
            }
            names.TryGetValue(uuid, out var info);
            zones.Add(new ZoneSnapshot
            {
                Name = uuid,
                Alias = info?.Alias,
                Brand = info?.Brand,
                ZoneId = id,
                Cgroup = stats,
            });
        }
        var globalProcesses = new List<ProcessSample>();
        var globalVfs = new Dictionary<int, VfsCounters>();
        if ((parts & (SampleParts.Processes | SampleParts.Vfs)) != 0)
        {
            for (int i = 0; i < zones.Count; i++)
                zones[i] = WithProcesses(zones[i], parts, hostUptime);
            foreach (int pid in AllProcessIds())
            {
                if (zonePids.Contains(pid))
                    continue;
                var p = (parts & SampleParts.Processes) != 0 ? ReadProcess(pid) : null;
                if (p is not null && p.VirtualBytes == 0)
                    continue; // a kernel thread: prstat leaves sched, pageout and fsflush out likewise
                if (p is not null)
                    globalProcesses.Add(p);
                if ((parts & SampleParts.Vfs) != 0 && ReadVfs(pid) is { } v)
                    globalVfs[pid] = v;
            }
        }
        if ((parts & SampleParts.Network) != 0)
            for (int i = 0; i < zones.Count; i++)
                zones[i] = zones[i] with { Nics = ReadNics(zones[i].Cgroup.Pids) };
        string meminfo = CgroupFiles.TryRead(Path.Combine(procRoot, "meminfo")) ?? "";
        long total = ProcFiles.MemInfo(meminfo, "MemTotal") ?? 0;
        long available = ProcFiles.MemInfo(meminfo, "MemAvailable") ?? total;
        long swapTotal = ProcFiles.MemInfo(meminfo, "SwapTotal") ?? 0;
        long swapFree = ProcFiles.MemInfo(meminfo, "SwapFree") ?? 0;
        long zonesRss = zones.Sum(z => z.Cgroup.MemoryUsageBytes ?? 0);
        var global = new ZoneSnapshot
        {
            Name = ZoneSnapshot.GlobalName,
            ZoneId = 0,
            Cgroup = new ZoneCgroupStats
            {
                // The host's memory in use less what the zones' cgroups are charged: the global zone's share.
                RssBytes = Math.Max(0, total - available - zonesRss),
                MemoryUsageBytes = Math.Max(0, total - available - zonesRss),
                SwapUsageBytes = swapTotal - swapFree,
                CpuUsageNanos = HostCpuNanos(),
                // v1's root cgroup counts the block I/O of the host's own processes; v2's root has no io.stat.
                Io = layout.Version == CgroupVersion.V1 ? _reader.Read("")?.Io : null,
                Pids = globalProcesses.Select(p => p.Pid).ToList(),
            },
            Processes = globalProcesses,
            Vfs = globalVfs,
            UptimeSeconds = hostUptime,
        };
        zones.Insert(0, global);
        return new NodeSnapshot
        {
            Time = now,
            PhysicalMemoryBytes = total,
            LoadAverage = ProcFiles.LoadAverage(CgroupFiles.TryRead(Path.Combine(procRoot, "loadavg")) ?? ""),
            HostUptimeSeconds = hostUptime,
            Zones = zones,
        };
    }

    private ZoneSnapshot WithProcesses(ZoneSnapshot zone, SampleParts parts, double hostUptime)
    {
        var processes = new List<ProcessSample>();
        var vfs = new Dictionary<int, VfsCounters>();
        long oldestStart = long.MaxValue;
        foreach (int pid in zone.Cgroup.Pids)
        {
            if (ReadProcess(pid) is not { } p)
                continue;
            oldestStart = Math.Min(oldestStart, p.StartTicks);
            if ((parts & SampleParts.Processes) != 0)
                processes.Add(p);
            if ((parts & SampleParts.Vfs) != 0 && ReadVfs(pid) is { } v)
                vfs[pid] = v;
        }
        double uptime = oldestStart == long.MaxValue ? 0 : Math.Max(0, hostUptime - oldestStart / (double)ProcFiles.TicksPerSecond);
        return zone with { Processes = processes, Vfs = vfs, UptimeSeconds = uptime };
    }

    /// <summary>The pids of a zone's cgroup and of every cgroup below it (an lx zone's systemd makes its own).</summary>
    private List<int> AllPids(string relative, IReadOnlyList<int> top)
    {
        var pids = new List<int>(top);
        string dir = layout.Directory("memory", relative);
        try
        {
            foreach (string child in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories))
                if (CgroupFiles.TryRead(Path.Combine(child, "cgroup.procs")) is { } text)
                    pids.AddRange(CgroupFiles.Pids(text));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the zone stopped while being walked: what was read stands
        }
        return pids;
    }

    private IEnumerable<int> AllProcessIds()
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (string entry in entries)
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                yield return pid;
    }

    private ProcessSample? ReadProcess(int pid)
    {
        string dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        if (CgroupFiles.TryRead(Path.Combine(dir, "stat")) is not { } stat)
            return null;
        int uid = CgroupFiles.TryRead(Path.Combine(dir, "status")) is { } status ? ProcFiles.ParseUid(status) : 0;
        return ProcFiles.ParseStat(pid, stat, uid);
    }

    private VfsCounters? ReadVfs(int pid) =>
        CgroupFiles.TryRead(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "io")) is { } io ? ProcFiles.ParseIo(io) : null;

    /// <summary>A zone's nics: /proc/&lt;pid&gt;/net/dev of any of its processes shows its network namespace.</summary>
    private IReadOnlyList<NicCounters> ReadNics(IReadOnlyList<int> pids)
    {
        foreach (int pid in pids)
            if (CgroupFiles.TryRead(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "net", "dev")) is { } dev)
                return ProcFiles.ParseNetDev(dev);
        return [];
    }

    private double ReadUptime()
    {
        string text = CgroupFiles.TryRead(Path.Combine(procRoot, "uptime")) ?? "0";
        int space = text.IndexOf(' ');
        return double.TryParse(space < 0 ? text : text[..space], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0;
    }

    private long? HostCpuNanos() =>
        CgroupFiles.TryRead(Path.Combine(procRoot, "stat")) is { } stat && ProcFiles.CpuTicks(stat) is { } t
            ? t.Busy * (1_000_000_000 / ProcFiles.TicksPerSecond) : null;
}
