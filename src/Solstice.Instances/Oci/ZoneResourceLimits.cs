namespace Solstice.Instances.Oci;

/// <summary>
/// The vmadm resource properties an OS container enforces through cgroups and rlimits. Null leaves a
/// limit unset at create and unchanged on update. RuntimeSpecBuilder documents each mapping.
/// </summary>
public sealed record ZoneResourceLimits
{
    /// <summary>max_physical_memory in bytes (memory cgroup limit).</summary>
    public long? MaxPhysicalMemoryBytes { get; init; }

    /// <summary>
    /// max_swap in bytes. SmartOS's zone.max-swap caps RAM plus swap together (it is never below
    /// max_physical_memory), which is exactly what OCI's memory.swap means.
    /// </summary>
    public long? MaxSwapBytes { get; init; }

    /// <summary>max_locked_memory in bytes (RLIMIT_MEMLOCK of init; fixed at create).</summary>
    public long? MaxLockedMemoryBytes { get; init; }

    /// <summary>cpu_cap: percent of one CPU, 0 removes the cap.</summary>
    public int? CpuCap { get; init; }

    /// <summary>cpu_shares: FSS shares, SmartOS default 100.</summary>
    public int? CpuShares { get; init; }

    /// <summary>max_lwps: threads, which Linux counts as tasks in the pids controller.</summary>
    public int? MaxLwps { get; init; }

    /// <summary>zfs_io_priority: relative I/O weight, SmartOS default 100.</summary>
    public int? ZfsIoPriority { get; init; }
}
