namespace Solstice.Observability;

/// <summary>
/// Reads a cgroup's figures on either hierarchy. Returns null when the cgroup is gone (the zone
/// stopped): the caller drops the row. A single missing file leaves its figures null.
/// </summary>
public sealed class CgroupReader(CgroupLayout layout)
{
    public const long PageSize = 4096;

    public CgroupLayout Layout { get; } = layout;

    public ZoneCgroupStats? ReadZone(string uuid, bool memoryOnly = false) => Read(CgroupLayout.ZoneRelative(uuid), memoryOnly);

    /// <param name="memoryOnly">Leave out the CPU and block I/O files (their figures stay null).</param>
    public ZoneCgroupStats? Read(string relative, bool memoryOnly = false) =>
        Layout.Version == CgroupVersion.V2 ? ReadV2(relative, memoryOnly) : ReadV1(relative, memoryOnly);

    private string? File(string controller, string relative, string name) =>
        CgroupFiles.TryRead(Path.Combine(Layout.Directory(controller, relative), name));

    private ZoneCgroupStats? ReadV1(string relative, bool memoryOnly)
    {
        if (memoryOnly)
            return ReadV1Memory(relative);
        string? procs = File("memory", relative, "cgroup.procs");
        if (procs is null)
            return null;
        var memStat = File("memory", relative, "memory.stat") is { } ms ? CgroupFiles.FlatKeyed(ms) : null;
        var cpuStat = File("cpu", relative, "cpu.stat") is { } cs ? CgroupFiles.FlatKeyed(cs) : null;
        var oom = File("memory", relative, "memory.oom_control") is { } oc ? CgroupFiles.FlatKeyed(oc) : null;
        long? quota = Number("cpu", relative, "cpu.cfs_quota_us");
        long? limit = Number("memory", relative, "memory.limit_in_bytes");
        long? swapLimit = Number("memory", relative, "memory.memsw.limit_in_bytes");
        IoCounters? io = null;
        if (File("blkio", relative, "blkio.throttle.io_serviced") is { } ops && File("blkio", relative, "blkio.throttle.io_service_bytes") is { } bytes)
        {
            var (ro, wo) = CgroupFiles.BlkioV1(ops);
            var (rb, wb) = CgroupFiles.BlkioV1(bytes);
            io = new IoCounters(ro, wo, rb, wb);
        }
        return new ZoneCgroupStats
        {
            Pids = CgroupFiles.Pids(procs),
            CpuUsageNanos = Number("cpuacct", relative, "cpuacct.usage"),
            CpuQuotaMicros = quota is > 0 ? quota : null,
            CpuPeriodMicros = Number("cpu", relative, "cpu.cfs_period_us"),
            CpuPeriods = Get(cpuStat, "nr_periods"),
            CpuThrottledPeriods = Get(cpuStat, "nr_throttled"),
            CpuThrottledNanos = Get(cpuStat, "throttled_time"),
            // Hierarchical totals (total_*) where the kernel gives them, so a nested cgroup's pages count.
            RssBytes = Sum(Get(memStat, "total_rss") ?? Get(memStat, "rss"), Get(memStat, "total_mapped_file") ?? Get(memStat, "mapped_file")),
            MemoryUsageBytes = Number("memory", relative, "memory.usage_in_bytes"),
            MemoryLimitBytes = Unlimited(limit),
            SwapUsageBytes = Number("memory", relative, "memory.memsw.usage_in_bytes"),
            SwapLimitBytes = Unlimited(swapLimit),
            MemoryCapHits = Number("memory", relative, "memory.failcnt"),
            OomKills = Get(oom, "oom_kill"),
            PagesIn = Get(memStat, "total_pgpgin") ?? Get(memStat, "pgpgin"),
            Io = io,
        };
    }

    private ZoneCgroupStats? ReadV1Memory(string relative)
    {
        string? procs = File("memory", relative, "cgroup.procs");
        if (procs is null)
            return null;
        var memStat = File("memory", relative, "memory.stat") is { } ms ? CgroupFiles.FlatKeyed(ms) : null;
        var oom = File("memory", relative, "memory.oom_control") is { } oc ? CgroupFiles.FlatKeyed(oc) : null;
        return new ZoneCgroupStats
        {
            Pids = CgroupFiles.Pids(procs),
            RssBytes = Sum(Get(memStat, "total_rss") ?? Get(memStat, "rss"), Get(memStat, "total_mapped_file") ?? Get(memStat, "mapped_file")),
            MemoryUsageBytes = Number("memory", relative, "memory.usage_in_bytes"),
            MemoryLimitBytes = Unlimited(Number("memory", relative, "memory.limit_in_bytes")),
            SwapUsageBytes = Number("memory", relative, "memory.memsw.usage_in_bytes"),
            SwapLimitBytes = Unlimited(Number("memory", relative, "memory.memsw.limit_in_bytes")),
            MemoryCapHits = Number("memory", relative, "memory.failcnt"),
            OomKills = Get(oom, "oom_kill"),
            PagesIn = Get(memStat, "total_pgpgin") ?? Get(memStat, "pgpgin"),
        };
    }

    private ZoneCgroupStats? ReadV2(string relative, bool memoryOnly)
    {
        string? procs = File("", relative, "cgroup.procs");
        if (procs is null)
            return null;
        var memStat = File("", relative, "memory.stat") is { } ms ? CgroupFiles.FlatKeyed(ms) : null;
        var cpuStat = !memoryOnly && File("", relative, "cpu.stat") is { } cs ? CgroupFiles.FlatKeyed(cs) : null;
        var events = File("", relative, "memory.events") is { } ev ? CgroupFiles.FlatKeyed(ev) : null;
        var cpuMax = !memoryOnly && File("", relative, "cpu.max") is { } cm ? CgroupFiles.CpuMax(cm) : null;
        long? current = Number("", relative, "memory.current");
        long? swapCurrent = Number("", relative, "memory.swap.current");
        long? limit = Unlimited(Number("", relative, "memory.max"));
        long? swapMax = Unlimited(Number("", relative, "memory.swap.max"));
        return new ZoneCgroupStats
        {
            Pids = CgroupFiles.Pids(procs),
            CpuUsageNanos = Get(cpuStat, "usage_usec") * 1000,
            CpuQuotaMicros = cpuMax?.Quota,
            CpuPeriodMicros = cpuMax?.Period,
            CpuPeriods = Get(cpuStat, "nr_periods"),
            CpuThrottledPeriods = Get(cpuStat, "nr_throttled"),
            CpuThrottledNanos = Get(cpuStat, "throttled_usec") * 1000,
            RssBytes = Sum(Get(memStat, "anon"), Get(memStat, "file_mapped")),
            MemoryUsageBytes = current,
            MemoryLimitBytes = limit,
            // v2 caps swap alone (memory.swap.max); SmartOS's swap cap covers memory + swap, so add them.
            SwapUsageBytes = Sum(current, swapCurrent),
            SwapLimitBytes = limit is { } l && swapMax is { } s ? l + s : null,
            MemoryCapHits = Get(events, "max"),
            OomKills = Get(events, "oom_kill"),
            PagedOutBytes = Get(memStat, "pgsteal") * PageSize,
            Io = !memoryOnly && File("", relative, "io.stat") is { } io ? CgroupFiles.IoStatV2(io) : null,
        };
    }

    private long? Number(string controller, string relative, string name) =>
        File(controller, relative, name) is { } text ? CgroupFiles.Single(text) : null;

    private static long? Get(Dictionary<string, long>? values, string key) =>
        values is not null && values.TryGetValue(key, out long value) ? value : null;

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    /// <summary>v1 writes "no limit" as a huge page-aligned number (9223372036854771712); v2 as "max".</summary>
    private static long? Unlimited(long? limit) => limit is null or >= (1L << 60) ? null : limit;
}
