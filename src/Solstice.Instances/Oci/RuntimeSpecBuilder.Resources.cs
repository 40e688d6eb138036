using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

public static partial class RuntimeSpecBuilder
{
    public const long CpuPeriodMicros = 100_000;

    /// <summary>
    /// linux.resources without devices: the body of config.json's resources and of `runc update -r -`.
    /// Only limits that are set appear, so an update leaves the others alone. Swap needs the memory
    /// limit in the same document (OCI's swap counts memory + swap) and a host with swap accounting.
    /// </summary>
    public static JsonObject BuildResources(ZoneResourceLimits limits, OciHostFeatures host)
    {
        var resources = new JsonObject();
        if (limits.MaxPhysicalMemoryBytes is long memory)
        {
            var section = new JsonObject { ["limit"] = memory };
            if (limits.MaxSwapBytes is long swap && host.SwapLimit)
                section["swap"] = Math.Max(swap, memory);
            resources["memory"] = section;
        }
        if (limits.CpuShares is not null || limits.CpuCap is not null)
        {
            var cpu = new JsonObject();
            if (limits.CpuShares is int shares)
                cpu["shares"] = CpuSharesToCgroup(shares);
            if (limits.CpuCap is int cap)
            {
                cpu["quota"] = CpuCapToQuota(cap);
                cpu["period"] = CpuPeriodMicros;
            }
            resources["cpu"] = cpu;
        }
        if (limits.MaxLwps is int lwps)
            resources["pids"] = new JsonObject { ["limit"] = lwps };
        if (limits.ZfsIoPriority is int priority && host.BlockIoWeight)
            resources["blockIO"] = new JsonObject { ["weight"] = (int)IoPriorityToBlkioWeight(priority) };
        return resources;
    }

    /// <summary>
    /// cpu_shares → cgroup v1 cpu.shares: shares × 1024 / 100, so SmartOS's default 100 lands on the
    /// kernel's default 1024 and relative weights between zones are kept; clamped to the kernel's 2..262144.
    /// (On cgroup v2 the runtime converts shares to cpu.weight itself.)
    /// </summary>
    public static ulong CpuSharesToCgroup(int shares) => (ulong)Math.Clamp(shares * 1024L / 100, 2, 262144);

    /// <summary>cpu_cap (percent of one CPU) → CFS quota in µs per 100 ms period; 0 means no cap (-1).</summary>
    public static long CpuCapToQuota(int cap) => cap == 0 ? -1 : cap * (CpuPeriodMicros / 100);

    /// <summary>
    /// zfs_io_priority → blkio weight: priority × 5 clamped to 10..1000, so the default 100 gives 500, CFQ's
    /// default weight, and the ratio between zones is kept within the controller's range.
    /// </summary>
    public static ushort IoPriorityToBlkioWeight(int priority) => (ushort)Math.Clamp(priority * 5L, 10, 1000);
}
