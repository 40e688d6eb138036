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

    private RuntimeDetector Detector(bool cgroup2, string controllers = "cpuset cpu io memory hugetlb pids rdma misc", string? env = null)
    {
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(Cgroup);
        File.WriteAllText(Path.Combine(Cgroup, "cgroup.controllers"), controllers + "\n");
        // An empty PATH entry plus a bogus fallback: only our temp bin can supply runtimes. The host's
        // /usr/sbin/runc is still found through the fallback directories, so tests that need "none
        // installed" look for names only our bin has.
        return new RuntimeDetector
        {
            CgroupRoot = Cgroup,
            SearchPath = Bin,
            GetEnvironment = name => name == RuntimeDetector.OverrideVariable ? env : null,
            IsCgroup2 = _ => cgroup2,
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
    public void Hybrid_host_gets_runc_even_with_crun_installed()
    {
        Install("crun");
        string runc = Install("runc");
        var choice = Detector(cgroup2: false).Detect();
        Assert.Equal(OciRuntimeKind.Runc, choice.Kind);
        Assert.Equal(runc, choice.BinaryPath);
        Assert.Contains("not pure v2", choice.Reason);
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
    public void This_host_is_hybrid_and_uses_runc()
    {
        var detector = new RuntimeDetector { GetEnvironment = _ => null };
        if (!File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") || detector.FindExecutable("runc") is null)
            return;
        Assert.False(detector.IsPureCgroup2());
        Assert.Equal(OciRuntimeKind.Runc, detector.Detect().Kind);
    }
}
