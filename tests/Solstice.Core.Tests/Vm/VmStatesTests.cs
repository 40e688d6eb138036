using Solstice.Core.Vm;

namespace Solstice.Core.Tests.Vm;

public class VmStatesTests
{
    private const string Uuid = "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0";

    // Every state × verb. start: only stopped/ready start, running is "already running";
    // stop/reboot: only running, anything else is "already not running" (exit 0);
    // delete: always; update: settled states; snapshots: running or stopped.
    [Theory]
    [InlineData("configured", "start", "Refused")]
    [InlineData("configured", "stop", "AlreadyDone")]
    [InlineData("configured", "reboot", "AlreadyDone")]
    [InlineData("configured", "delete", "Allowed")]
    [InlineData("configured", "update", "Refused")]
    [InlineData("configured", "create-snapshot", "Refused")]
    [InlineData("configured", "rollback-snapshot", "Refused")]
    [InlineData("configured", "delete-snapshot", "Refused")]
    [InlineData("incomplete", "start", "Refused")]
    [InlineData("incomplete", "stop", "AlreadyDone")]
    [InlineData("incomplete", "reboot", "AlreadyDone")]
    [InlineData("incomplete", "delete", "Allowed")]
    [InlineData("incomplete", "update", "Refused")]
    [InlineData("incomplete", "create-snapshot", "Refused")]
    [InlineData("incomplete", "rollback-snapshot", "Refused")]
    [InlineData("incomplete", "delete-snapshot", "Refused")]
    [InlineData("provisioning", "start", "Refused")]
    [InlineData("provisioning", "stop", "AlreadyDone")]
    [InlineData("provisioning", "reboot", "AlreadyDone")]
    [InlineData("provisioning", "delete", "Allowed")]
    [InlineData("provisioning", "update", "Refused")]
    [InlineData("provisioning", "create-snapshot", "Refused")]
    [InlineData("provisioning", "rollback-snapshot", "Refused")]
    [InlineData("provisioning", "delete-snapshot", "Refused")]
    [InlineData("failed", "start", "Refused")]
    [InlineData("failed", "stop", "AlreadyDone")]
    [InlineData("failed", "reboot", "AlreadyDone")]
    [InlineData("failed", "delete", "Allowed")]
    [InlineData("failed", "update", "Allowed")]
    [InlineData("failed", "create-snapshot", "Refused")]
    [InlineData("failed", "rollback-snapshot", "Refused")]
    [InlineData("failed", "delete-snapshot", "Refused")]
    [InlineData("receiving", "start", "Refused")]
    [InlineData("receiving", "stop", "AlreadyDone")]
    [InlineData("receiving", "reboot", "AlreadyDone")]
    [InlineData("receiving", "delete", "Allowed")]
    [InlineData("receiving", "update", "Refused")]
    [InlineData("receiving", "create-snapshot", "Refused")]
    [InlineData("receiving", "rollback-snapshot", "Refused")]
    [InlineData("receiving", "delete-snapshot", "Refused")]
    [InlineData("ready", "start", "Allowed")]
    [InlineData("ready", "stop", "AlreadyDone")]
    [InlineData("ready", "reboot", "AlreadyDone")]
    [InlineData("ready", "delete", "Allowed")]
    [InlineData("ready", "update", "Allowed")]
    [InlineData("ready", "create-snapshot", "Refused")]
    [InlineData("ready", "rollback-snapshot", "Refused")]
    [InlineData("ready", "delete-snapshot", "Refused")]
    [InlineData("running", "start", "AlreadyDone")]
    [InlineData("running", "stop", "Allowed")]
    [InlineData("running", "reboot", "Allowed")]
    [InlineData("running", "delete", "Allowed")]
    [InlineData("running", "update", "Allowed")]
    [InlineData("running", "create-snapshot", "Allowed")]
    [InlineData("running", "rollback-snapshot", "Allowed")]
    [InlineData("running", "delete-snapshot", "Allowed")]
    [InlineData("stopping", "start", "Refused")]
    [InlineData("stopping", "stop", "AlreadyDone")]
    [InlineData("stopping", "reboot", "AlreadyDone")]
    [InlineData("stopping", "delete", "Allowed")]
    [InlineData("stopping", "update", "Refused")]
    [InlineData("stopping", "create-snapshot", "Refused")]
    [InlineData("stopping", "rollback-snapshot", "Refused")]
    [InlineData("stopping", "delete-snapshot", "Refused")]
    [InlineData("shutting_down", "start", "Refused")]
    [InlineData("shutting_down", "stop", "AlreadyDone")]
    [InlineData("shutting_down", "reboot", "AlreadyDone")]
    [InlineData("shutting_down", "delete", "Allowed")]
    [InlineData("shutting_down", "update", "Refused")]
    [InlineData("shutting_down", "create-snapshot", "Refused")]
    [InlineData("shutting_down", "rollback-snapshot", "Refused")]
    [InlineData("shutting_down", "delete-snapshot", "Refused")]
    [InlineData("down", "start", "Refused")]
    [InlineData("down", "stop", "AlreadyDone")]
    [InlineData("down", "reboot", "AlreadyDone")]
    [InlineData("down", "delete", "Allowed")]
    [InlineData("down", "update", "Refused")]
    [InlineData("down", "create-snapshot", "Refused")]
    [InlineData("down", "rollback-snapshot", "Refused")]
    [InlineData("down", "delete-snapshot", "Refused")]
    [InlineData("stopped", "start", "Allowed")]
    [InlineData("stopped", "stop", "AlreadyDone")]
    [InlineData("stopped", "reboot", "AlreadyDone")]
    [InlineData("stopped", "delete", "Allowed")]
    [InlineData("stopped", "update", "Allowed")]
    [InlineData("stopped", "create-snapshot", "Allowed")]
    [InlineData("stopped", "rollback-snapshot", "Allowed")]
    [InlineData("stopped", "delete-snapshot", "Allowed")]
    public void Table(string state, string verb, string outcome)
    {
        Assert.True(VmStates.TryParse(state, out var parsed));
        var verbValue = Enum.GetValues<VmVerb>().Single(v => VmStates.VerbName(v) == verb);
        Assert.Equal(outcome, VmStates.Outcome(parsed, verbValue).ToString());
        var check = VmStates.Check(parsed, verbValue, Uuid);
        Assert.Equal(outcome, check.Outcome.ToString());
        Assert.Equal(outcome == "Refused" ? 1 : 0, check.ExitCode);
    }

    [Fact]
    public void Table_covers_every_state_and_verb()
    {
        foreach (var state in Enum.GetValues<VmState>())
        {
            foreach (var verb in Enum.GetValues<VmVerb>())
                Assert.True(Enum.IsDefined(VmStates.Outcome(state, verb)));
        }
    }

    [Fact]
    public void Messages_match_vmadm()
    {
        var running = VmStates.Check(VmState.Running, VmVerb.Start, Uuid);
        Assert.Equal(VmStateCheck.AlreadyRunning, running.Code);
        Assert.Equal($"VM {Uuid} is already 'running'", running.Message);

        var stopped = VmStates.Check(VmState.Stopped, VmVerb.Stop, Uuid);
        Assert.Equal(VmStateCheck.NotRunning, stopped.Code);
        Assert.Equal($"VM {Uuid} is already not 'running' (currently: stopped)", stopped.Message);
        Assert.Equal($"VM {Uuid} is already not 'running' (currently: shutting_down)",
            VmStates.Check(VmState.ShuttingDown, VmVerb.Reboot, Uuid).Message);

        var refused = VmStates.Check(VmState.Provisioning, VmVerb.CreateSnapshot, Uuid);
        Assert.Equal($"Cannot create-snapshot VM {Uuid} while it is 'provisioning'", refused.Message);
        var ex = Assert.Throws<SolsticeException>(refused.ThrowIfRefused);
        Assert.Equal(ErrorCode.InvalidState, ex.Code);

        var allowed = VmStates.Check(VmState.Stopped, VmVerb.Start, Uuid);
        Assert.Null(allowed.Message);
        allowed.ThrowIfRefused();
        running.ThrowIfRefused();
    }

    [Theory]
    [InlineData("configured", VmState.Configured)]
    [InlineData("shutting_down", VmState.ShuttingDown)]
    [InlineData("stopped", VmState.Stopped)]
    [InlineData("receiving", VmState.Receiving)]
    public void Wire_names_round_trip(string wire, VmState state)
    {
        Assert.Equal(wire, VmStates.ToWire(state));
        Assert.True(VmStates.TryParse(wire, out var parsed));
        Assert.Equal(state, parsed);
    }

    [Theory]
    [InlineData("Running")]
    [InlineData("installed")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_states_do_not_parse(string? text) => Assert.False(VmStates.TryParse(text, out _));

    [Theory]
    [InlineData("installed", null, false, false, "stopped", null, null)]
    [InlineData("running", null, false, false, "running", null, null)]
    [InlineData("shutting_down", null, false, false, "shutting_down", null, null)]
    [InlineData("installed", null, true, false, "provisioning", null, null)]
    [InlineData("running", null, true, false, "running", null, null)]
    [InlineData("running", "provisioning:running:1714560000000", false, false, "provisioning", "running", 1714560000000L)]
    [InlineData("running", "stopping:stopped:1714560000000", false, false, "stopping", "stopped", 1714560000000L)]
    [InlineData("installed", "receiving:stopped:1714560000000", false, false, "receiving", "stopped", 1714560000000L)]
    [InlineData("running", "provisioning:running:1714560000000", true, true, "failed", "running", 1714560000000L)]
    [InlineData("installed", null, true, true, "failed", null, null)]
    [InlineData("installed", "garbage", false, false, "stopped", null, null)]
    [InlineData("installed", "stopping:stopped:soon", false, false, "stopped", null, null)]
    public void Derive(string zoneState, string? transition, bool provisioning, bool failed, string state, string? to, long? expire)
    {
        var derived = VmStates.Derive(zoneState, transition, provisioning, failed);
        Assert.Equal(new VmDerivedState(state, to, expire), derived);
    }
}
