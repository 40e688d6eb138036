using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

/// <summary>
/// One throw-away container on the real runc: a unique id, its own --root state directory, a bundle and
/// rootfs under a temp directory, and a cgroup below /solstice-test. Dispose removes all of it (force
/// delete, leftover cgroup directories, temp files), also after a failed test.
/// </summary>
public sealed class TestZone : IDisposable
{
    public const string CgroupParent = "/solstice-test";

    private static readonly string[] s_busyboxApplets =
        ["sh", "sleep", "cat", "echo", "hostname", "id", "mount", "umount", "unshare", "grep", "ls", "mkdir", "touch", "true", "false", "head", "tr", "reboot"];

    private readonly TempDirectory _dir = new("solstice-zone");
    private bool _created;

    public TestZone()
    {
        Id = $"solstice-test-{Guid.NewGuid():N}"[..22];
        Uuid = Guid.NewGuid().ToString("D");
        Runtime = OciRuntime.Create(new RuntimeDetector().Detect("runc"), ProcessCommandRunner.Instance, _dir.Combine("state"));
        Directory.CreateDirectory(Rootfs);
    }

    public string Id { get; }

    public string Uuid { get; }

    public IOciRuntime Runtime { get; }

    public string Bundle => _dir.Combine("bundle");

    public string Rootfs => _dir.Combine("rootfs");

    public string CgroupsPath => $"{CgroupParent}/{Id}";

    public string ConsoleLog => Path.Combine(Bundle, OciRuntime.DefaultLogFile);

    public string Combine(params string[] parts) => _dir.Combine(parts);

    /// <summary>A minimal Linux root: Debian's static busybox and its applets as symlinks.</summary>
    public void InstallBusybox()
    {
        string source = File.Exists("/usr/bin/busybox") ? "/usr/bin/busybox" : "/bin/busybox";
        foreach (string dir in new[] { "bin", "etc", "mnt", "proc", "sys", "dev", "tmp", "root" })
            Directory.CreateDirectory(Path.Combine(Rootfs, dir));
        File.Copy(source, Path.Combine(Rootfs, "bin/busybox"));
        foreach (string applet in s_busyboxApplets)
            File.CreateSymbolicLink(Path.Combine(Rootfs, "bin", applet), "busybox");
        Directory.CreateDirectory(Path.Combine(Rootfs, "sbin"));
    }

    public ZoneRuntimeSpec Spec(ZoneBrand brand, IReadOnlyList<string> init, ZoneResourceLimits? limits = null) => new()
    {
        Uuid = Uuid,
        Brand = brand,
        Hostname = "zone-" + Id[^6..],
        DnsDomain = "test.local",
        RootfsPath = Rootfs,
        InitArgv = init,
        Limits = limits ?? new ZoneResourceLimits(),
        CgroupsPath = CgroupsPath,
    };

    /// <summary>Writes the zone files and config.json, then runs create and start.</summary>
    public void Boot(ZoneRuntimeSpec spec, string? consoleSocket = null)
    {
        ZoneFiles.Write(Rootfs, spec.Hostname, spec.DnsDomain, ["192.0.2.53"]);
        OciBundle.Write(Bundle, RuntimeSpecBuilder.Build(spec, OciHostFeatures.Detect()));
        _created = true;
        Runtime.Create(Id, Bundle, Path.Combine(Bundle, "init.pid"), consoleSocket);
        Runtime.Start(Id);
    }

    public CommandResult Exec(params string[] argv) => Runtime.Exec(Id, argv);

    public string ExecOk(params string[] argv)
    {
        var result = Exec(argv);
        Assert.True(result.Succeeded, $"{string.Join(' ', argv)} exited {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Kills init and waits until the runtime reports the container stopped.</summary>
    public void Stop()
    {
        Runtime.Kill(Id, 9);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Runtime.State(Id).Status != OciStatus.Stopped)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Id} did not stop");
            Thread.Sleep(50);
        }
    }

    /// <summary>The directories of this zone's cgroup that exist, across every mounted hierarchy.</summary>
    public IReadOnlyList<string> CgroupDirectories() => CgroupDirectoriesOf(CgroupsPath);

    public static IReadOnlyList<string> CgroupDirectoriesOf(string cgroupsPath) =>
        Hierarchies().Select(h => h + cgroupsPath).Where(Directory.Exists).ToList();

    public static string ReadCgroup(string controller, string cgroupsPath, string file) =>
        File.ReadAllText($"/sys/fs/cgroup/{controller}{cgroupsPath}/{file}").Trim();

    public void Dispose()
    {
        if (_created)
        {
            try
            {
                Runtime.Delete(Id, force: true);
            }
            catch (SolsticeException)
            {
            }
        }
        // runc removes the container's cgroup on delete; the shared parent is ours to remove once empty.
        foreach (string dir in CgroupDirectories().Concat(CgroupDirectoriesOf(CgroupParent)))
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
        _dir.Dispose();
    }

    private static IEnumerable<string> Hierarchies()
    {
        if (RuntimeDetector.IsCgroup2Mount("/sys/fs/cgroup"))
            return ["/sys/fs/cgroup"];
        return Directory.EnumerateDirectories("/sys/fs/cgroup").Where(d => File.Exists(Path.Combine(d, "cgroup.procs")));
    }
}
