using System.Globalization;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Oci;

/// <summary>
/// Host facts the generated config depends on. Tests pass fixed values so golden output doesn't vary by
/// machine; Detect() reads the running host.
/// </summary>
/// <param name="BlockIoWeight">The blkio/io controller accepts a weight (many hosts lack both blkio.weight and the bfq one).</param>
/// <param name="SwapLimit">Swap accounting exists (v1 memory.memsw.*), so memory.swap can be set.</param>
/// <param name="PlatformDirectories">Host directories joyent-brand zones get read-only, in mount order.</param>
/// <param name="RlimitCeiling">
/// Highest rlimit the runtime may set, by OCI rlimit type; null when unbounded. Raising a hard limit
/// needs CAP_SYS_RESOURCE, which some hosts (sandboxed VMs, nested containers) withhold even from root:
/// there the runtime can't go above its own hard limits and `create` would fail.
/// </param>
/// <param name="UnifiedControllers">
/// On a pure cgroup v2 host, the controllers its root offers (cgroup.controllers); null on v1 and
/// hybrid hosts, which have a name=systemd hierarchy.
/// </param>
public sealed record OciHostFeatures(bool BlockIoWeight, bool SwapLimit, IReadOnlyList<string> PlatformDirectories,
    IReadOnlyDictionary<string, long>? RlimitCeiling = null, IReadOnlyList<string>? UnifiedControllers = null)
{
    /// <summary>The platform userland of SmartOS OS zones, mapped to Linux's layout; missing ones are skipped.</summary>
    public static readonly IReadOnlyList<string> PlatformCandidates = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin"];

    private const int CapSysResource = 24;

    public static OciHostFeatures Detect(string cgroupRoot = "/sys/fs/cgroup")
    {
        bool v2 = RuntimeDetector.IsCgroup2Mount(cgroupRoot);
        string controllers = v2 && File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers"))
            ? File.ReadAllText(Path.Combine(cgroupRoot, "cgroup.controllers")) : "";
        bool blockIo = v2
            ? controllers.Split(' ', '\n').Contains("io")
            : File.Exists(Path.Combine(cgroupRoot, "blkio", "blkio.weight")) || File.Exists(Path.Combine(cgroupRoot, "blkio", "blkio.bfq.weight"));
        // On v2 the root cgroup has no memory.swap.max; the controller being enabled is the best signal there.
        bool swap = v2
            ? controllers.Split(' ', '\n').Contains("memory")
            : File.Exists(Path.Combine(cgroupRoot, "memory", "memory.memsw.limit_in_bytes"));
        var platform = PlatformCandidates.Where(Directory.Exists).ToList();
        return new OciHostFeatures(blockIo, swap, platform, HasCapability(CapSysResource) ? null : CurrentHardLimits(),
            v2 ? controllers.Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries) : null);
    }

    private static Dictionary<string, long> CurrentHardLimits()
    {
        static long Hard(int resource) => (long)Math.Min(Libc.GetHardRlimit(resource), long.MaxValue);
        return new Dictionary<string, long>
        {
            ["RLIMIT_MEMLOCK"] = Hard(Libc.RlimitMemlock),
            ["RLIMIT_NOFILE"] = Hard(Libc.RlimitNoFile),
        };
    }

    private static bool HasCapability(int capability)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return (ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << capability)) != 0;
        }
        return false;
    }
}
