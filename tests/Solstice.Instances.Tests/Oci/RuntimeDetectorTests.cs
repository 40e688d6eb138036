using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

public sealed class RuntimeDetectorTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-detect");

    public void Dispose() => _dir.Dispose();

    private string Bin => _dir.Combine("bin");

    private string Cgroup => _dir.Combine("cgroup");

    private RuntimeDetector Detector(bool cgroup2, string controllers = "cpuset cpu io memory hugetlb pids rdma misc", string? env = null) =>
        Detector(cgroup2 ? Layout.PureV2 : Layout.V1Only, controllers, env: env);

    public enum Layout { PureV2, HybridEmptyUnified, HybridHugetlbUnified, V1Only }

    /// <summary>A host with the given cgroup layout, captured from real hosts; file reads and statfs are faked.</summary>
    private RuntimeDetector Detector(Layout layout, string rootControllers = "cpuset cpu io memory hugetlb pids rdma misc", string? env = null)
    {
        Directory.CreateDirectory(Bin);
        string unified = Path.Combine(Cgroup, "unified");
        var cgroup2Mounts = layout switch
        {
            Layout.PureV2 => new[] { Cgroup },
            Layout.HybridEmptyUnified or Layout.HybridHugetlbUnified => [unified],
            _ => [],
        };
        var files = new Dictionary<string, string>();
        if (layout == Layout.PureV2)
            files[Path.Combine(Cgroup, "cgroup.controllers")] = rootControllers + "\n";
        if (layout == Layout.HybridEmptyUnified)
            files[Path.Combine(unified, "cgroup.controllers")] = "\n";
        if (layout == Layout.HybridHugetlbUnified)
            files[Path.Combine(unified, "cgroup.controllers")] = "hugetlb\n";
        // The temp bin comes first on the search path. The host's /usr/sbin/runc is still found through the
        // fallback directories, so tests that need "none installed" look for names only our bin has.
        return new RuntimeDetector
        {
            CgroupRoot = Cgroup,
            SearchPath = Bin,
            GetEnvironment = name => name == RuntimeDetector.OverrideVariable ? env : null,
            IsCgroup2 = cgroup2Mounts.Contains,
            ReadFile = path => files.GetValueOrDefault(path),
        };
    }

    private string Install(string name)
    {
        Directory.CreateDirectory(Bin);
        string path = Path.Combine(Bin, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void Pure_cgroup2_host_with_crun_gets_crun()
    {
        string crun = Install("crun");
        Install("runc");
        var choice = Detector(cgroup2: true).Detect();
        Assert.Equal(OciRuntimeKind.Crun, choice.Kind);
        Assert.Equal(crun, choice.BinaryPath);
    }

    [Fact]
    public void Hybrid_host_with_an_empty_unified_hierarchy_gets_crun()
    {
        string crun = Install("crun");
        Install("runc");
        var choice = Detector(Layout.HybridEmptyUnified).Detect();
        Assert.Equal((OciRuntimeKind.Crun, crun), (choice.Kind, choice.BinaryPath));
        Assert.Contains("no controller in the v2 hierarchy", choice.Reason);
    }

    [Fact]
    public void Hybrid_host_with_hugetlb_in_the_unified_hierarchy_gets_runc()
    {
        Install("crun");
        string runc = Install("runc");
        var choice = Detector(Layout.HybridHugetlbUnified).Detect();
        Assert.Equal((OciRuntimeKind.Runc, runc), (choice.Kind, choice.BinaryPath));
        Assert.Equal("crun refuses this host (hybrid cgroups with 'hugetlb' in the v2 hierarchy), so runc.", choice.Reason);
    }

    [Fact]
    public void V1_only_host_gets_runc()
    {
        Install("crun");
        string runc = Install("runc");
        var choice = Detector(Layout.V1Only).Detect();
        Assert.Equal((OciRuntimeKind.Runc, runc), (choice.Kind, choice.BinaryPath));
        Assert.Contains("cgroup v1 only", choice.Reason);
    }

    [Theory]
    [InlineData(Layout.PureV2)]
    [InlineData(Layout.HybridEmptyUnified)]
    public void Host_crun_could_run_on_gets_runc_when_crun_is_missing(Layout layout)
    {
        string runc = Install("runc");
        var detector = Detector(layout);
        Assert.True(detector.CrunSupport().CanRun);
        if (detector.FindExecutable("crun") is not null)
            return; // the machine running the tests has crun in a fallback directory
        var choice = detector.Detect();
        Assert.Equal((OciRuntimeKind.Runc, runc), (choice.Kind, choice.BinaryPath));
        Assert.StartsWith("crun is not installed", choice.Reason);
    }

    [Fact]
    public void Runc_missing_on_a_host_crun_refuses_is_unavailable()
    {
        Install("crun");
        var detector = Detector(Layout.HybridHugetlbUnified);
        if (detector.FindExecutable("runc") is not null)
            return; // the machine running the tests has runc in a fallback directory
        var error = Assert.Throws<SolsticeException>(() => detector.Detect());
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains("refuses this host", error.Message);
    }

    [Fact]
    public void Cgroup2_without_cpu_memory_pids_delegated_is_not_pure()
    {
        Install("crun");
        Install("runc");
        var detector = Detector(cgroup2: true, controllers: "hugetlb");
        Assert.False(detector.IsPureCgroup2());
        Assert.Equal(OciRuntimeKind.Runc, detector.Detect().Kind);
    }

    [Fact]
    public void Environment_override_wins_over_configuration_and_detection()
    {
        Install("crun");
        string runc = Install("runc");
        var choice = Detector(cgroup2: true, env: "runc").Detect(configured: "crun");
        Assert.Equal((OciRuntimeKind.Runc, runc), (choice.Kind, choice.BinaryPath));
        Assert.Contains(RuntimeDetector.OverrideVariable, choice.Reason);
    }

    [Fact]
    public void Configured_value_wins_over_detection()
    {
        string crun = Install("crun");
        Install("runc");
        var choice = Detector(cgroup2: false).Detect(configured: "crun");
        Assert.Equal((OciRuntimeKind.Crun, crun), (choice.Kind, choice.BinaryPath));
    }

    [Fact]
    public void Override_may_be_an_absolute_path_named_after_the_runtime()
    {
        string custom = Install("crun-1.19");
        var choice = Detector(cgroup2: false, env: custom).Detect();
        Assert.Equal((OciRuntimeKind.Crun, custom), (choice.Kind, choice.BinaryPath));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("/usr/bin/youki")]
    public void Unknown_override_is_an_invalid_argument(string value) =>
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<SolsticeException>(() => Detector(false, env: value).Detect()).Code);

    [Fact]
    public void Missing_override_binary_is_unavailable() =>
        Assert.Equal(ErrorCode.Unavailable, Assert.Throws<SolsticeException>(() => Detector(false, env: _dir.Combine("bin", "runc-missing")).Detect()).Code);

    [Fact]
    public void Executables_are_found_on_the_search_path_first()
    {
        string runc = Install("runc");
        Assert.Equal(runc, Detector(false).FindExecutable("runc"));
        File.SetUnixFileMode(runc, UnixFileMode.UserRead);
        Assert.NotEqual(runc, Detector(false).FindExecutable("runc"));
    }

    [Fact]
    public void This_host_is_hybrid_with_hugetlb_in_unified_and_uses_runc()
    {
        var detector = new RuntimeDetector { GetEnvironment = _ => null };
        if (!File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") || detector.FindExecutable("runc") is null)
            return;
        Assert.False(detector.IsPureCgroup2());
        var choice = detector.Detect();
        if (File.ReadAllText("/sys/fs/cgroup/unified/cgroup.controllers").Trim().Length > 0)
            Assert.Equal(OciRuntimeKind.Runc, choice.Kind);
        Assert.NotEmpty(choice.Reason);
    }
}
