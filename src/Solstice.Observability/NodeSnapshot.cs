namespace Solstice.Observability;

/// <summary>What to read for a snapshot: each costs a walk over processes or zones that a tool may not need.</summary>
[Flags]
public enum SampleParts
{
    Cgroups = 1,
    Processes = 2,
    Vfs = 4,
    Network = 8,
    All = Cgroups | Processes | Vfs | Network,

    /// <summary>With Cgroups: the memory controller's files only (zonememstat), a third of the reads.</summary>
    MemoryOnly = 16,
}

/// <summary>One zone (or the global zone, <see cref="ZoneId"/> 0) at one instant.</summary>
public sealed record ZoneSnapshot
{
    public const string GlobalName = "global";

    public required string Name { get; init; }

    public string? Alias { get; init; }

    public string? Brand { get; init; }

    /// <summary>SmartOS's zone id: 0 for global, then 1, 2, ... in uuid order among the zones running now (Linux has no zone ids; see docs/observability.md).</summary>
    public int ZoneId { get; init; }

    public bool IsGlobal => ZoneId == 0;

    /// <summary>The zone's cgroup figures; for global, host-wide figures where they exist.</summary>
    public ZoneCgroupStats Cgroup { get; init; } = new();

    public IReadOnlyList<ProcessSample> Processes { get; init; } = [];

    /// <summary>VFS counters of each live process, by pid (so a later sample can take differences per process).</summary>
    public IReadOnlyDictionary<int, VfsCounters> Vfs { get; init; } = new Dictionary<int, VfsCounters>();

    public IReadOnlyList<NicCounters> Nics { get; init; } = [];

    /// <summary>Seconds since the zone's oldest live process started: the "since boot" interval of vfsstat's first report.</summary>
    public double UptimeSeconds { get; init; }
}

/// <summary>The node at one instant: the global zone first, then every zone with a cgroup, in zone id order.</summary>
public sealed record NodeSnapshot
{
    /// <summary>Monotonic time of the sample, seconds.</summary>
    public double Time { get; init; }

    public int CpuCount { get; init; } = Environment.ProcessorCount;

    public long PhysicalMemoryBytes { get; init; }

    public (double One, double Five, double Fifteen) LoadAverage { get; init; }

    /// <summary>Seconds since the host booted.</summary>
    public double HostUptimeSeconds { get; init; }

    public IReadOnlyList<ZoneSnapshot> Zones { get; init; } = [];
}
