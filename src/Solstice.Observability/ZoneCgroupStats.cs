namespace Solstice.Observability;

/// <summary>
/// One zone's figures from its cgroup, at one instant. A figure the host's cgroup files do not have
/// is null (shown as "-" by the tools). Cumulative counters only grow while the cgroup exists.
/// </summary>
public sealed record ZoneCgroupStats
{
    /// <summary>CPU time used by the zone, nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec).</summary>
    public long? CpuUsageNanos { get; init; }

    /// <summary>The CFS quota in µs per <see cref="CpuPeriodMicros"/>, null when uncapped.</summary>
    public long? CpuQuotaMicros { get; init; }

    public long? CpuPeriodMicros { get; init; }

    /// <summary>Enforcement periods elapsed and periods in which the zone was throttled (cpu.stat nr_periods, nr_throttled).</summary>
    public long? CpuPeriods { get; init; }

    public long? CpuThrottledPeriods { get; init; }

    /// <summary>Time the zone's tasks waited at their cap, nanoseconds (cpu.stat throttled_time, v2 throttled_usec).</summary>
    public long? CpuThrottledNanos { get; init; }

    /// <summary>Resident memory: anonymous plus mapped file pages (memory.stat rss + mapped_file, v2 anon + file_mapped).</summary>
    public long? RssBytes { get; init; }

    /// <summary>Everything charged to the cgroup, page cache included (memory.usage_in_bytes, memory.current).</summary>
    public long? MemoryUsageBytes { get; init; }

    /// <summary>The memory cap, null when unlimited.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>Memory plus swap in use (memory.memsw.usage_in_bytes; memory.current + memory.swap.current).</summary>
    public long? SwapUsageBytes { get; init; }

    /// <summary>The memory + swap cap (max_swap), null when unlimited or not accounted.</summary>
    public long? SwapLimitBytes { get; init; }

    /// <summary>Times the zone hit its memory cap (memory.failcnt; v2 memory.events max).</summary>
    public long? MemoryCapHits { get; init; }

    /// <summary>Processes the kernel's OOM killer killed in the zone (memory.oom_control oom_kill; memory.events oom_kill).</summary>
    public long? OomKills { get; init; }

    /// <summary>Bytes reclaimed from the zone under its cap (v2 memory.stat pgsteal × page size; v1 has no per-cgroup count).</summary>
    public long? PagedOutBytes { get; init; }

    /// <summary>Pages brought in (memory.stat pgpgin).</summary>
    public long? PagesIn { get; init; }

    /// <summary>Block I/O (v1 blkio.throttle.*, v2 io.stat).</summary>
    public IoCounters? Io { get; init; }

    /// <summary>The zone's processes (cgroup.procs).</summary>
    public IReadOnlyList<int> Pids { get; init; } = [];
}
