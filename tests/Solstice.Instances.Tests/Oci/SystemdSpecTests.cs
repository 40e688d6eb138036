using System.Text.Json.Nodes;
using Solstice.Instances.Oci;

namespace Solstice.Instances.Tests.Oci;

/// <summary>What a zone whose init is systemd gets in its runtime spec, on a hybrid and on a pure cgroup v2 host.</summary>
public class SystemdSpecTests
{
    private static readonly OciHostFeatures s_hybrid = new(BlockIoWeight: true, SwapLimit: true, []);
    private static readonly OciHostFeatures s_unified = new(BlockIoWeight: true, SwapLimit: true, [], UnifiedControllers: ["cpu", "memory", "pids"]);

    private static ZoneRuntimeSpec Spec(bool systemd) => new()
    {
        Uuid = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        Brand = ZoneBrand.Lx,
        Hostname = "deb",
        RootfsPath = "/zones/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/root",
        Terminal = true,
        SystemdInit = systemd,
        Limits = new ZoneResourceLimits { MaxPhysicalMemoryBytes = 1L << 30, CpuShares = 50, MaxLwps = 4000 },
    };

    private static List<(string Destination, string Type, string Source, string Options)> Mounts(JsonObject config) =>
        config["mounts"]!.AsArray().Select(m => ((string)m!["destination"]!, (string)m["type"]!, (string)m["source"]!,
            string.Join(',', m["options"]!.AsArray().Select(o => (string)o!)))).ToList();

    [Fact]
    public void On_a_hybrid_host_systemd_gets_container_env_run_tmpfs_its_name_systemd_tree_and_sigrtmin_3()
    {
        var config = RuntimeSpecBuilder.Build(Spec(systemd: true), s_hybrid);
        Assert.Contains("container=solstice", config["process"]!["env"]!.AsArray().Select(e => (string)e!));
        var mounts = Mounts(config);
        Assert.Contains(("/run", "tmpfs", "tmpfs", "nosuid,nodev,mode=755,size=20%"), mounts);
        Assert.Contains(("/run/lock", "tmpfs", "tmpfs", "nosuid,nodev,noexec,size=5120k"), mounts);
        // Writable: only systemd's own hierarchy, at the zone's cgroup; the controllers stay read-only.
        Assert.Contains(("/sys/fs/cgroup/systemd", "bind", "/sys/fs/cgroup/systemd/solstice/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            "rbind,nosuid,noexec,nodev"), mounts);
        Assert.Contains(("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid,noexec,nodev,relatime,ro"), mounts);
        Assert.True(mounts.FindIndex(m => m.Destination == "/sys/fs/cgroup") < mounts.FindIndex(m => m.Destination == "/sys/fs/cgroup/systemd"));
        Assert.Equal("37", (string)config["annotations"]![RuntimeSpecBuilder.StopSignalAnnotation]!);
    }

    [Fact]
    public void On_a_cgroup_v2_host_the_zones_cgroup_is_writable_but_its_limits_are_not()
    {
        var mounts = Mounts(RuntimeSpecBuilder.Build(Spec(systemd: true), s_unified));
        const string cgroup = "/sys/fs/cgroup/solstice/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
        Assert.Contains(("/sys/fs/cgroup", "bind", cgroup, "rbind,nosuid,noexec,nodev"), mounts);
        foreach (string file in new[] { "memory.max", "memory.swap.max", "cpu.max", "cpu.weight", "pids.max", "cgroup.max.descendants" })
            Assert.Contains(("/sys/fs/cgroup/" + file, "bind", $"{cgroup}/{file}", "bind,ro,nosuid,noexec,nodev"), mounts);
        // Controllers the host lacks have no files to protect; subtree_control stays systemd's to write.
        Assert.DoesNotContain(mounts, m => m.Destination.StartsWith("/sys/fs/cgroup/io.", StringComparison.Ordinal));
        Assert.DoesNotContain(mounts, m => m.Destination == "/sys/fs/cgroup/cgroup.subtree_control");
        Assert.DoesNotContain(mounts, m => m.Destination == "/sys/fs/cgroup/systemd");
    }

    [Fact]
    public void Other_zones_get_none_of_it()
    {
        var config = RuntimeSpecBuilder.Build(Spec(systemd: false), s_hybrid);
        Assert.DoesNotContain(config["process"]!["env"]!.AsArray().Select(e => (string)e!), e => e.StartsWith("container=", StringComparison.Ordinal));
        Assert.DoesNotContain(Mounts(config), m => m.Destination is "/run" or "/run/lock" or "/sys/fs/cgroup/systemd");
        Assert.Null(config["annotations"]![RuntimeSpecBuilder.StopSignalAnnotation]);
    }
}
