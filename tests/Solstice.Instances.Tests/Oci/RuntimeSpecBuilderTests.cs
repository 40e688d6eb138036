using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

public class RuntimeSpecBuilderTests
{
    private static readonly OciHostFeatures s_host = new(BlockIoWeight: true, SwapLimit: true, ["/usr", "/lib", "/lib64", "/bin", "/sbin"]);

    private static ZoneRuntimeSpec JoyentSpec() => new()
    {
        Uuid = "0f6c9a3e-5b8d-4c1e-9a7f-2d3b4c5d6e7f",
        Brand = ZoneBrand.Joyent,
        Hostname = "web01",
        DnsDomain = "example.com",
        RootfsPath = "/zones/0f6c9a3e-5b8d-4c1e-9a7f-2d3b4c5d6e7f/root",
        SeccompListenerPath = "/run/solstice/statfs.sock",
        Limits = new ZoneResourceLimits
        {
            MaxPhysicalMemoryBytes = 256L << 20,
            MaxSwapBytes = 512L << 20,
            MaxLockedMemoryBytes = 128L << 20,
            CpuCap = 150,
            CpuShares = 100,
            MaxLwps = 2000,
            ZfsIoPriority = 100,
        },
        TmpfsBytes = 256L << 20,
        BindMounts =
        [
            new ZoneBindMount("/var/zonecontrol/0f6c9a3e-5b8d-4c1e-9a7f-2d3b4c5d6e7f", "/.zonecontrol", ReadOnly: true),
            new ZoneBindMount("/opt/solstice/guest", "/usr/solstice", ReadOnly: true),
        ],
    };

    private static ZoneRuntimeSpec LxSpec() => new()
    {
        Uuid = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        Brand = ZoneBrand.Lx,
        Hostname = "db01",
        RootfsPath = "/zones/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/root",
        SeccompListenerPath = "/run/solstice/statfs.sock",
        InitName = "/lib/systemd/systemd",
        Environment = new Dictionary<string, string> { ["container"] = "solstice", ["LANG"] = "C.UTF-8" },
        Terminal = true,
        Limits = new ZoneResourceLimits { MaxPhysicalMemoryBytes = 1L << 30, CpuShares = 50, CpuCap = 0, MaxLwps = 4000 },
        NetworkNamespacePath = "/run/netns/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        UserNamespace = new ZoneIdMapping(HostUid: 100000, HostGid: 100000, Size: 65536),
    };

    [Fact]
    public void Joyent_config_matches_golden_file() =>
        Golden.Assert("joyent.json", OciBundle.Render(RuntimeSpecBuilder.Build(JoyentSpec(), s_host)));

    [Fact]
    public void Lx_config_matches_golden_file() =>
        Golden.Assert("lx.json", OciBundle.Render(RuntimeSpecBuilder.Build(LxSpec(), s_host)));

    [Fact]
    public void Output_is_deterministic() =>
        Assert.Equal(OciBundle.Render(RuntimeSpecBuilder.Build(JoyentSpec(), s_host)), OciBundle.Render(RuntimeSpecBuilder.Build(JoyentSpec(), s_host)));

    [Fact]
    public void Joyent_brand_mounts_platform_directories_read_only_and_lx_does_not()
    {
        var joyent = Destinations(RuntimeSpecBuilder.Build(JoyentSpec(), s_host));
        var lx = Destinations(RuntimeSpecBuilder.Build(LxSpec(), s_host));
        foreach (string dir in s_host.PlatformDirectories)
        {
            var mount = Mounts(RuntimeSpecBuilder.Build(JoyentSpec(), s_host)).Single(m => (string?)m["destination"] == dir);
            Assert.Equal(["rbind", "ro", "nosuid", "nodev"], mount["options"]!.AsArray().Select(o => (string?)o));
            Assert.DoesNotContain(dir, lx);
        }
        Assert.DoesNotContain("/etc", joyent);
        Assert.DoesNotContain("/var", joyent);
    }

    [Fact]
    public void Dangerous_capabilities_are_never_granted()
    {
        string[] forbidden = ["CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_TIME", "CAP_MAC_ADMIN", "CAP_NET_ADMIN",
            "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_SYSLOG", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_RESOURCE"];
        foreach (var spec in new[] { JoyentSpec(), LxSpec() })
        {
            var caps = RuntimeSpecBuilder.Build(spec, s_host)["process"]!["capabilities"]!;
            foreach (string set in new[] { "bounding", "effective", "permitted" })
                Assert.Empty(caps[set]!.AsArray().Select(c => (string?)c).Intersect(forbidden));
        }
    }

    [Fact]
    public void Sys_boot_and_reboot_are_allowed_only_inside_a_user_namespace()
    {
        Assert.DoesNotContain("CAP_SYS_BOOT", RuntimeSpecBuilder.Capabilities(JoyentSpec()));
        Assert.Contains("reboot", DeniedNames(RuntimeSpecBuilder.Build(JoyentSpec(), s_host)));
        Assert.Contains("CAP_SYS_BOOT", RuntimeSpecBuilder.Capabilities(LxSpec()));
        Assert.DoesNotContain("reboot", DeniedNames(RuntimeSpecBuilder.Build(LxSpec(), s_host)));
    }

    [Fact]
    public void Clone3_returns_enosys_and_namespace_flags_of_clone_are_refused()
    {
        var syscalls = RuntimeSpecBuilder.Build(JoyentSpec(), s_host)["linux"]!["seccomp"]!["syscalls"]!.AsArray();
        var clone3 = syscalls.Single(s => s!["names"]!.AsArray().Any(n => (string?)n == "clone3"));
        Assert.Equal(38, (int)clone3!["errnoRet"]!);
        var cloneRules = syscalls.Where(s => (string?)s!["names"]![0] == "clone").ToList();
        var masks = cloneRules.Select(r => (ulong)r!["args"]![0]!["value"]!).ToList();
        Assert.Contains(0x10000000UL, masks);
        Assert.Contains(0x00020000UL, masks);
        Assert.All(cloneRules, r => Assert.Equal((ulong)r!["args"]![0]!["value"]!, (ulong)r["args"]![0]!["valueTwo"]!));
    }

    [Fact]
    public void Statfs_goes_to_the_listener_only_when_the_spec_names_one()
    {
        var seccomp = RuntimeSpecBuilder.Build(JoyentSpec(), s_host)["linux"]!["seccomp"]!;
        Assert.Equal("/run/solstice/statfs.sock", (string?)seccomp["listenerPath"]);
        Assert.Equal(JoyentSpec().Uuid, (string?)seccomp["listenerMetadata"]);
        var notify = seccomp["syscalls"]!.AsArray().Single(s => (string?)s!["action"] == "SCMP_ACT_NOTIFY")!;
        Assert.Equal(["fstatfs", "statfs"], notify["names"]!.AsArray().Select(n => (string?)n));
        Assert.Null(notify["args"]);

        var without = RuntimeSpecBuilder.Build(JoyentSpec() with { SeccompListenerPath = null }, s_host)["linux"]!["seccomp"]!;
        Assert.Null(without["listenerPath"]);
        Assert.DoesNotContain(without["syscalls"]!.AsArray(), s => (string?)s!["action"] == "SCMP_ACT_NOTIFY");
        Assert.Contains(JoyentSpec() with { SeccompListenerPath = "run/statfs.sock" } is var bad ? bad.Validate() : [], p => p.Contains("seccomp listener"));
    }

    private static List<JsonNode> SocketRules(ZoneRuntimeSpec spec) =>
        RuntimeSpecBuilder.Build(spec, s_host)["linux"]!["seccomp"]!["syscalls"]!.AsArray()
            .Where(s => (string?)s!["names"]![0] == "socket").Select(s => s!).ToList();

    private static string Describe(JsonNode rule) =>
        string.Join(" && ", rule["args"]!.AsArray().Select(a => $"a{(int)a!["index"]!} {(string?)a["op"]} {(ulong)a["value"]!}"
            + (a["valueTwo"] is { } two ? $" {(ulong)two}" : "")));

    [Fact]
    public void Vsock_is_refused_in_every_zone_and_raw_sockets_follow_net_rawaccess()
    {
        // Default (limit_priv "default", which holds net_rawaccess on SmartOS): only AF_VSOCK is refused.
        foreach (var spec in new[] { JoyentSpec(), LxSpec() })
            Assert.Equal(["a0 SCMP_CMP_EQ 40"], SocketRules(spec).Select(Describe));
        var withoutRaw = SocketRules(JoyentSpec() with { RawNetworkAccess = false });
        Assert.All(withoutRaw, r => Assert.Equal(1, (int)r["errnoRet"]!));
        Assert.Equal(
        [
            "a0 SCMP_CMP_EQ 40",
            "a0 SCMP_CMP_EQ 17",
            "a0 SCMP_CMP_EQ 2 && a1 SCMP_CMP_MASKED_EQ 15 10",
            "a0 SCMP_CMP_EQ 2 && a1 SCMP_CMP_MASKED_EQ 15 3 && a2 SCMP_CMP_NE 1",
            "a0 SCMP_CMP_EQ 10 && a1 SCMP_CMP_MASKED_EQ 15 3 && a2 SCMP_CMP_NE 58",
        ], withoutRaw.Select(Describe));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("default", true)]
    [InlineData("all", true)]
    [InlineData("default,-net_rawaccess", false)]
    [InlineData("default,!PRIV_NET_RAWACCESS", false)]
    [InlineData("basic,net_icmpaccess", false)]
    [InlineData("basic,net_rawaccess", true)]
    [InlineData("none", false)]
    [InlineData("default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session", true)]
    public void Limit_priv_grants_net_rawaccess_as_smartos_reads_it(string? limitPriv, bool granted) =>
        Assert.Equal(granted, ZonePrivileges.Grants(limitPriv, ZonePrivileges.NetRawAccess));

    [Theory]
    [InlineData(100, 1024UL)]
    [InlineData(1, 10UL)]
    [InlineData(50, 512UL)]
    [InlineData(65535, 262144UL)]
    public void Cpu_shares_scale_so_the_smartos_default_is_the_kernel_default(int shares, ulong expected) =>
        Assert.Equal(expected, RuntimeSpecBuilder.CpuSharesToCgroup(shares));

    [Theory]
    [InlineData(0, -1L)]
    [InlineData(100, 100000L)]
    [InlineData(350, 350000L)]
    public void Cpu_cap_is_a_quota_per_100ms_period(int cap, long quota) =>
        Assert.Equal(quota, RuntimeSpecBuilder.CpuCapToQuota(cap));

    [Theory]
    [InlineData(100, 500)]
    [InlineData(1, 10)]
    [InlineData(1000, 1000)]
    public void Io_priority_maps_to_blkio_weight_range(int priority, int weight) =>
        Assert.Equal(weight, RuntimeSpecBuilder.IoPriorityToBlkioWeight(priority));

    [Fact]
    public void Resources_leave_out_what_the_host_cannot_enforce()
    {
        var limits = new ZoneResourceLimits { MaxPhysicalMemoryBytes = 100, MaxSwapBytes = 50, ZfsIoPriority = 100 };
        var full = RuntimeSpecBuilder.BuildResources(limits, s_host);
        Assert.Equal(100, (long)full["memory"]!["swap"]!);
        Assert.Equal(500, (int)full["blockIO"]!["weight"]!);

        var bare = RuntimeSpecBuilder.BuildResources(limits, s_host with { BlockIoWeight = false, SwapLimit = false });
        Assert.Null(bare["blockIO"]);
        Assert.Null(bare["memory"]!["swap"]);
    }

    [Fact]
    public void Rlimits_are_lowered_to_a_host_ceiling()
    {
        var host = s_host with { RlimitCeiling = new Dictionary<string, long> { ["RLIMIT_NOFILE"] = 20000, ["RLIMIT_MEMLOCK"] = 8L << 20 } };
        var rlimits = RuntimeSpecBuilder.Build(JoyentSpec(), host)["process"]!["rlimits"]!.AsArray();
        Assert.Equal(8L << 20, (long)rlimits.Single(r => (string?)r!["type"] == "RLIMIT_MEMLOCK")!["hard"]!);
        Assert.Equal(20000L, (long)rlimits.Single(r => (string?)r!["type"] == "RLIMIT_NOFILE")!["soft"]!);
    }

    [Fact]
    public void Update_resources_contain_only_the_limits_given()
    {
        var resources = RuntimeSpecBuilder.BuildResources(new ZoneResourceLimits { MaxLwps = 10 }, s_host);
        Assert.Equal("""{"pids":{"limit":10}}""", resources.ToJsonString());
    }

    [Fact]
    public void Invalid_spec_reports_every_problem()
    {
        var spec = JoyentSpec() with
        {
            Uuid = "not-a-uuid",
            Hostname = "-bad",
            RootfsPath = "zones/relative",
            CgroupsPath = "/solstice/../escape",
            BindMounts = [new ZoneBindMount("/src", "relative", false)],
            Limits = new ZoneResourceLimits { CpuShares = 0 },
        };
        var ex = Assert.Throws<SolsticeException>(() => RuntimeSpecBuilder.Build(spec, s_host));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        foreach (string word in new[] { "uuid", "hostname", "root path", "cgroups path", "bind mount destination", "cpu_shares" })
            Assert.Contains(word, ex.Message);
    }

    private static IEnumerable<JsonNode> Mounts(JsonObject config) => config["mounts"]!.AsArray().Select(m => m!);

    private static List<string?> Destinations(JsonObject config) => Mounts(config).Select(m => (string?)m["destination"]).ToList();

    private static List<string?> DeniedNames(JsonObject config) =>
        config["linux"]!["seccomp"]!["syscalls"]![0]!["names"]!.AsArray().Select(n => (string?)n).ToList();
}
