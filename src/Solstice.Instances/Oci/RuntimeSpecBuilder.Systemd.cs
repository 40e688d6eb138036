using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

/// <summary>
/// What systemd needs to run as a zone's PID 1 (lx zones whose image boots systemd, as SmartOS's
/// Debian and Ubuntu lx images do), following systemd's container interface: `container=` in
/// init's environment, so it knows it is in a container and skips what the host owns; /run and
/// /run/lock as tmpfs; a cgroup tree of its own it can write; and SIGRTMIN+3 to halt. The zone
/// still has no CAP_SYS_ADMIN: systemd runs its units' sandboxing options without namespaces
/// (it ignores them when it cannot set them up in a container) and cannot mount anything itself.
/// </summary>
public static partial class RuntimeSpecBuilder
{
    /// <summary>SIGRTMIN+3: systemd as PID 1 halts on it (SIGTERM only makes it re-execute itself).</summary>
    public const int SystemdStopSignal = 37;

    /// <summary>The value of `container` in a systemd zone's environment (systemd-detect-virt: container-other).</summary>
    public const string ContainerName = "solstice";

    /// <summary>The annotation naming the signal that stops the zone's init gracefully, when not SIGTERM.</summary>
    public const string StopSignalAnnotation = "org.solstice.stop-signal";

    /// <summary>
    /// On a cgroup v2 host, the files of the zone's own cgroup that hold its limits, by controller:
    /// bound read-only over the writable cgroup mount, so systemd builds its tree below (and may
    /// enable controllers for it in cgroup.subtree_control) while the zone's limits stay the node's.
    /// </summary>
    public static readonly IReadOnlyList<(string Controller, string File)> ProtectedCgroupFiles =
    [
        ("", "cgroup.max.depth"), ("", "cgroup.max.descendants"),
        ("cpu", "cpu.max"), ("cpu", "cpu.weight"), ("cpu", "cpu.weight.nice"),
        ("cpuset", "cpuset.cpus"), ("cpuset", "cpuset.mems"),
        ("io", "io.max"), ("io", "io.weight"),
        ("memory", "memory.high"), ("memory", "memory.low"), ("memory", "memory.max"), ("memory", "memory.min"),
        ("memory", "memory.oom.group"), ("memory", "memory.swap.max"),
        ("pids", "pids.max"),
    ];

    private static void AddSystemdMounts(JsonArray mounts, ZoneRuntimeSpec spec, OciHostFeatures host)
    {
        mounts.Append(Mount("/run", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=755", "size=20%"));
        mounts.Append(Mount("/run/lock", "tmpfs", "tmpfs", "nosuid", "nodev", "noexec", "size=5120k"));
        string cgroup = spec.EffectiveCgroupsPath;
        if (host.UnifiedControllers is not { } controllers)
        {
            // v1 and hybrid hosts: systemd keeps its tree in the name=systemd hierarchy, which has no
            // resource knobs, so the zone's own directory of it is bound writable over runc's read-only
            // view; the controllers (cpu, memory, ...) stay read-only, and systemd does without them.
            mounts.Append(Mount("/sys/fs/cgroup/systemd", "bind", "/sys/fs/cgroup/systemd" + cgroup, "rbind", "nosuid", "noexec", "nodev"));
            return;
        }
        // v2: the zone's own cgroup (runc made it before it mounts anything), writable, its limits read-only.
        mounts.Append(Mount("/sys/fs/cgroup", "bind", "/sys/fs/cgroup" + cgroup, "rbind", "nosuid", "noexec", "nodev"));
        foreach (var (controller, file) in ProtectedCgroupFiles.Where(p => p.Controller.Length == 0 || controllers.Contains(p.Controller)))
            mounts.Append(Mount("/sys/fs/cgroup/" + file, "bind", $"/sys/fs/cgroup{cgroup}/{file}", "bind", "ro", "nosuid", "noexec", "nodev"));
    }
}
