using System.Diagnostics;
using Solstice.Core;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Instances.Tests;

/// <summary>ProcessCommandRunner.RunLogged, which `runc create` depends on (lives in Solstice.Linux).</summary>
public sealed class RunLoggedTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-runlogged");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Output_goes_to_the_log_and_is_returned_as_stderr()
    {
        string log = _dir.Combine("out.log");
        File.WriteAllText(log, "earlier\n");
        var result = ProcessCommandRunner.Instance.RunLogged(["/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"], log);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("to-stdout\nto-stderr\n", result.StandardError);
        Assert.Equal("earlier\nto-stdout\nto-stderr\n", File.ReadAllText(log));
    }

    [Fact]
    public void Does_not_wait_for_descendants_that_keep_the_output_open()
    {
        string log = _dir.Combine("daemon.log");
        string pidFile = _dir.Combine("daemon.pid");
        var watch = Stopwatch.StartNew();
        var result = ProcessCommandRunner.Instance.RunLogged(["/bin/sh", "-c", $"sleep 30 & echo $! > {pidFile}; echo started"], log);
        watch.Stop();
        try
        {
            Assert.Equal(0, result.ExitCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
                Process.GetProcessById(pid).Kill();
        }
    }

    [Fact]
    public void Child_gets_dev_null_as_stdin_and_a_new_session()
    {
        string log = _dir.Combine("stdin.log");
        var result = ProcessCommandRunner.Instance.RunLogged(
            ["/bin/sh", "-c", "readlink /proc/self/fd/0; [ \"$(ps -o sid= -p $$ | tr -d ' ')\" = \"$$\" ] && echo leader; grep SigIgn /proc/self/status"], log);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("/dev/null\n", result.StandardError);
        Assert.Contains("leader\n", result.StandardError);
        // The runtime ignores SIGPIPE (13, bit 12); the child must get the default back.
        string ignored = result.StandardError.Split('\n').Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim();
        Assert.Equal(0UL, Convert.ToUInt64(ignored, 16) & (1UL << 12));
    }

    [Fact]
    public void A_missing_program_is_unavailable() =>
        Assert.Equal(ErrorCode.Unavailable, Assert.Throws<SolsticeException>(
            () => ProcessCommandRunner.Instance.RunLogged(["/nonexistent/program"], _dir.Combine("x.log"))).Code);
}
