using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

public class OciRuntimeTests
{
    private const string Root = "/run/solstice/runc";
    private readonly RecordingCommandRunner _runner = new();

    private IOciRuntime Runc() => new RuncRuntime("/usr/sbin/runc", Root, _runner);

    private IOciRuntime Crun() => new CrunRuntime("/usr/bin/crun", "/run/solstice/crun", _runner);

    [Fact]
    public void Create_runs_with_output_to_the_bundle_log()
    {
        Runc().Create("z1", "/var/lib/solstice/bundles/z1", "/var/lib/solstice/bundles/z1/init.pid");
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "create", "--bundle", "/var/lib/solstice/bundles/z1",
            "--pid-file", "/var/lib/solstice/bundles/z1/init.pid", "z1"], _runner.Calls.Single());
        Assert.Equal("/var/lib/solstice/bundles/z1/console.log", _runner.LogPaths.Single());
    }

    [Fact]
    public void Create_passes_the_console_socket_and_an_explicit_log()
    {
        Runc().Create("z1", "/b", "/b/pid", consoleSocket: "/run/solstice/z1.sock", logFile: "/var/log/z1.log");
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "create", "--bundle", "/b", "--pid-file", "/b/pid",
            "--console-socket", "/run/solstice/z1.sock", "z1"], _runner.Calls.Single());
        Assert.Equal("/var/log/z1.log", _runner.LogPaths.Single());
    }

    [Fact]
    public void Create_failure_carries_the_runtime_message()
    {
        _runner.Results.Enqueue(new CommandResult(1, "", "time=\"x\" level=error msg=\"container with id exists: z1\"\n"));
        var ex = Assert.Throws<SolsticeException>(() => Runc().Create("z1", "/b", "/b/pid"));
        Assert.Equal(ErrorCode.BackendFailed, ex.Code);
        Assert.Contains("container with id exists", ex.Message);
        Assert.Contains("runc create 'z1'", ex.Message);
    }

    [Fact]
    public void Start_kill_and_delete_use_runc_argv()
    {
        var runc = Runc();
        runc.Start("z1");
        runc.Kill("z1", 15);
        runc.Kill("z1", 9, all: true);
        runc.Delete("z1");
        runc.Delete("z1", force: true);
        Assert.Equal(
        [
            "/usr/sbin/runc --root /run/solstice/runc start z1",
            "/usr/sbin/runc --root /run/solstice/runc kill z1 15",
            "/usr/sbin/runc --root /run/solstice/runc kill --all z1 9",
            "/usr/sbin/runc --root /run/solstice/runc delete z1",
            "/usr/sbin/runc --root /run/solstice/runc delete --force z1",
        ], _runner.Calls.Select(c => string.Join(' ', c)));
    }

    [Fact]
    public void State_is_parsed()
    {
        _runner.Results.Enqueue(new CommandResult(0, """
            {"ociVersion":"1.0.2-dev","id":"z1","pid":4242,"status":"running","bundle":"/b","rootfs":"/b/root",
             "created":"2026-01-01T00:00:00.123456789Z","owner":""}
            """, ""));
        var state = Runc().State("z1");
        Assert.Equal(new OciState("z1", OciStatus.Running, 4242, "/b"), state);
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "state", "z1"], _runner.Calls.Single());
    }

    [Fact]
    public void State_of_a_missing_container_is_not_found()
    {
        _runner.Results.Enqueue(new CommandResult(1, "", "time=\"...\" level=error msg=\"container does not exist\"\n"));
        var ex = Assert.Throws<SolsticeException>(() => Runc().State("z1"));
        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }

    [Fact]
    public void Crun_reports_missing_containers_as_not_found_too()
    {
        _runner.Results.Enqueue(new CommandResult(1, "", "error opening file `/run/solstice/crun/z1/status`: No such file or directory\n"));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<SolsticeException>(() => Crun().Delete("z1")).Code);
    }

    [Fact]
    public void Update_sends_resources_on_stdin()
    {
        var resources = new JsonObject { ["memory"] = new JsonObject { ["limit"] = 1024L }, ["pids"] = new JsonObject { ["limit"] = 64 } };
        Runc().Update("z1", resources);
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "update", "--resources", "-", "z1"], _runner.Calls.Single());
        Assert.Equal("""{"memory":{"limit":1024},"pids":{"limit":64}}""", _runner.StandardInputs.Single());
    }

    [Fact]
    public void Exec_command_orders_options_before_the_id()
    {
        var argv = Runc().ExecCommand("z1", ["/bin/sh", "-l"], tty: true,
            new Dictionary<string, string> { ["TERM"] = "xterm", ["LANG"] = "C" }, cwd: "/root");
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "exec", "--tty", "--cwd", "/root", "--env", "LANG=C", "--env", "TERM=xterm",
            "z1", "/bin/sh", "-l"], argv);
    }

    [Fact]
    public void Exec_returns_the_process_result_and_runs_without_tty()
    {
        _runner.Results.Enqueue(new CommandResult(3, "out", "err"));
        var result = Runc().Exec("z1", ["/bin/false"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "exec", "z1", "/bin/false"], _runner.Calls.Single());
    }

    [Fact]
    public void Crun_speaks_the_same_dialect_with_its_own_root()
    {
        var crun = Crun();
        crun.Start("z1");
        crun.Update("z1", new JsonObject());
        Assert.Equal(["/usr/bin/crun", "--root", "/run/solstice/crun", "start", "z1"], _runner.Calls[0]);
        Assert.Equal(["/usr/bin/crun", "--root", "/run/solstice/crun", "update", "--resources", "-", "z1"], _runner.Calls[1]);
        Assert.Equal(OciRuntimeKind.Crun, crun.Kind);
    }

    [Theory]
    [InlineData("null\n")]
    [InlineData("[]")]
    public void List_of_no_containers_is_empty(string output)
    {
        _runner.Results.Enqueue(new CommandResult(0, output, ""));
        Assert.Empty(Runc().List());
        Assert.Equal(["/usr/sbin/runc", "--root", Root, "list", "--format", "json"], _runner.Calls.Single());
    }

    [Fact]
    public void List_parses_every_container()
    {
        _runner.Results.Enqueue(new CommandResult(0, """
            [{"ociVersion":"1.0.2","id":"a","pid":10,"status":"created","bundle":"/a"},
             {"ociVersion":"1.0.2","id":"b","pid":0,"status":"stopped","bundle":"/b"}]
            """, ""));
        Assert.Equal([new OciState("a", OciStatus.Created, 10, "/a"), new OciState("b", OciStatus.Stopped, 0, "/b")], Runc().List());
    }

    [Theory]
    [InlineData("--all")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Ids_that_could_be_options_or_paths_are_refused(string id)
    {
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<SolsticeException>(() => Runc().Start(id)).Code);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void Factory_uses_the_per_runtime_state_root()
    {
        var runtime = OciRuntime.Create(new OciRuntimeChoice(OciRuntimeKind.Crun, "/usr/bin/crun", "test"), _runner);
        Assert.Equal("/run/solstice/crun", runtime.StateRoot);
        Assert.IsType<CrunRuntime>(runtime);
    }
}
