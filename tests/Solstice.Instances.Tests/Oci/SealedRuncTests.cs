using System.Runtime.InteropServices;
using Solstice.Instances.Oci;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

/// <summary>runc run from a sealed in-memory copy (SealedExecutable); docs/oci.md.</summary>
public sealed partial class SealedRuncTests
{
    private const int FGetFd = 1;
    private const int FdCloexec = 1;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [Fact]
    public void The_daemon_runs_the_sealed_copy_for_init_verbs_only_and_hands_out_the_real_path()
    {
        var runner = new RecordingCommandRunner();
        var runc = new RuncRuntime("/usr/sbin/runc", "/run/solstice/runc", runner, launchPath: "/proc/self/fd/7");
        runner.Results.Enqueue(new CommandResult(0, "null", ""));
        runc.List();
        runc.Exec("z1", ["/bin/true"]);
        runc.Create("z1", "/b", "/b/pid");
        Assert.Equal(["/usr/sbin/runc", "/proc/self/fd/7", "/proc/self/fd/7"], runner.Calls.Select(call => call[0]));
        Assert.Equal("/usr/sbin/runc", runc.ExecCommand("z1", ["/bin/sh"])[0]);
        Assert.Equal("/usr/sbin/runc", runc.BinaryPath);
    }

    [Fact]
    public void Sealed_copy_is_fully_sealed_close_on_exec_and_runs()
    {
        using var copy = SealedExecutable.Create("/bin/true");
        Assert.Equal(SealedExecutable.Seals, copy.CurrentSeals());
        Assert.Equal(FdCloexec, Fcntl(copy.Descriptor, FGetFd, 0) & FdCloexec);
        // F_SEAL_WRITE: even opening it for writing is refused (EPERM).
        Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(copy.LaunchPath, "x"));
        Assert.Equal(0, ProcessCommandRunner.Instance.Run([copy.LaunchPath]).ExitCode);
    }

    [Fact]
    public void Missing_source_is_a_clear_sentence()
    {
        var error = Assert.Throws<Solstice.Core.SolsticeException>(() => SealedExecutable.Create("/nonexistent/runc"));
        Assert.StartsWith("cannot copy /nonexistent/runc into memory", error.Message);
    }

    [Fact]
    public void Runc_runs_from_the_sealed_copy()
    {
        string? path = new RuntimeDetector().FindExecutable("runc");
        if (path is null)
            return;
        using var copy = SealedExecutable.Create(path);
        var version = ProcessCommandRunner.Instance.Run([copy.LaunchPath, "--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("runc version", version.StandardOutput);
        using var state = new TempDirectory("solstice-sealed");
        var runc = new RuncRuntime(path, state.Path, ProcessCommandRunner.Instance, copy.LaunchPath);
        Assert.Empty(runc.List());
    }
}
