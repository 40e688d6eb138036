using System.Collections.Frozen;
using System.Globalization;

namespace Solstice.Core.Vm;

/// <summary>The <c>state</c> values of a VM (smartos-interfaces.md §1.9).</summary>
public enum VmState
{
    Configured,
    Incomplete,
    Provisioning,
    Failed,
    Receiving,
    Ready,
    Running,
    Stopping,
    ShuttingDown,
    Down,
    Stopped,
}

/// <summary>The lifecycle verbs whose precondition is the VM's state.</summary>
public enum VmVerb
{
    Start,
    Stop,
    Reboot,
    Delete,
    Update,
    CreateSnapshot,
    RollbackSnapshot,
    DeleteSnapshot,
}

public enum VmVerbOutcome
{
    /// <summary>Proceed.</summary>
    Allowed,

    /// <summary>Nothing to do: vmadm prints the error and exits 0 (EALREADYRUNNING, ENOTRUNNING).</summary>
    AlreadyDone,

    /// <summary>Not possible in this state: exit 1.</summary>
    Refused,
}

/// <summary>The decision for one verb; <see cref="Code"/> and <see cref="Message"/> are null when allowed.</summary>
public sealed record VmStateCheck(VmVerbOutcome Outcome, string? Code, string? Message)
{
    public const string AlreadyRunning = "EALREADYRUNNING";
    public const string NotRunning = "ENOTRUNNING";
    public const string InvalidState = "EINVALIDSTATE";

    public int ExitCode => Outcome == VmVerbOutcome.Refused ? ExitCodes.Error : ExitCodes.Ok;

    /// <summary>Throws <see cref="SolsticeException"/> with <see cref="ErrorCode.InvalidState"/> when refused.</summary>
    public void ThrowIfRefused()
    {
        if (Outcome == VmVerbOutcome.Refused)
            throw new SolsticeException(ErrorCode.InvalidState, Message!);
    }
}

/// <summary>A derived state and the transition it came from, if any.</summary>
public sealed record VmDerivedState(string State, string? TransitionTo, long? TransitionExpire);

/// <summary>
/// The VM state machine as a table (state × verb → outcome) and the derivation of <c>state</c> from
/// <c>zone_state</c> and the zone's markers.
/// </summary>
public static class VmStates
{
    // One row per VmState in enum order; columns in VmVerb order:
    // start, stop, reboot, delete, update, create-snapshot, rollback-snapshot, delete-snapshot.
    // A allowed, R refused, E already running (start), N already not running (stop, reboot).
    // stop/reboot of any non-running VM is "already not running" and exits 0, as vmadm does.
    private static readonly string[] s_table =
    [
        /* configured    */ "RNNARRRR",
        /* incomplete    */ "RNNARRRR",
        /* provisioning  */ "RNNARRRR",
        /* failed        */ "RNNAARRR",
        /* receiving     */ "RNNARRRR",
        /* ready         */ "ANNAARRR",
        /* running       */ "EAAAAAAA",
        /* stopping      */ "RNNARRRR",
        /* shutting_down */ "RNNARRRR",
        /* down          */ "RNNARRRR",
        /* stopped       */ "ANNAAAAA",
    ];

    private static readonly FrozenDictionary<string, VmState> s_byName =
        Enum.GetValues<VmState>().ToFrozenDictionary(ToWire, StringComparer.Ordinal);

    /// <summary>The state as it appears in VM objects: <c>shutting_down</c>, <c>stopped</c>, ...</summary>
    public static string ToWire(VmState state) => state switch
    {
        VmState.ShuttingDown => "shutting_down",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? text, out VmState state)
    {
        state = default;
        return text is not null && s_byName.TryGetValue(text, out state);
    }

    /// <summary>The verb as vmadm names it: start, stop, reboot, delete, update, create-snapshot, ...</summary>
    public static string VerbName(VmVerb verb) => verb switch
    {
        VmVerb.CreateSnapshot => "create-snapshot",
        VmVerb.RollbackSnapshot => "rollback-snapshot",
        VmVerb.DeleteSnapshot => "delete-snapshot",
        _ => verb.ToString().ToLowerInvariant(),
    };

    public static VmVerbOutcome Outcome(VmState state, VmVerb verb) => s_table[(int)state][(int)verb] switch
    {
        'A' => VmVerbOutcome.Allowed,
        'E' or 'N' => VmVerbOutcome.AlreadyDone,
        _ => VmVerbOutcome.Refused,
    };

    /// <summary>
    /// Decides whether <paramref name="verb"/> may run on VM <paramref name="uuid"/> in <paramref name="state"/>,
    /// with vmadm's messages: <c>VM &lt;uuid&gt; is already 'running'</c> and
    /// <c>VM &lt;uuid&gt; is already not 'running' (currently: &lt;state&gt;)</c>.
    /// </summary>
    public static VmStateCheck Check(VmState state, VmVerb verb, string uuid)
    {
        string wire = ToWire(state);
        return s_table[(int)state][(int)verb] switch
        {
            'A' => new VmStateCheck(VmVerbOutcome.Allowed, null, null),
            'E' => new VmStateCheck(VmVerbOutcome.AlreadyDone, VmStateCheck.AlreadyRunning, $"VM {uuid} is already 'running'"),
            'N' => new VmStateCheck(VmVerbOutcome.AlreadyDone, VmStateCheck.NotRunning,
                $"VM {uuid} is already not 'running' (currently: {wire})"),
            _ => new VmStateCheck(VmVerbOutcome.Refused, VmStateCheck.InvalidState,
                $"Cannot {VerbName(verb)} VM {uuid} while it is '{wire}'"),
        };
    }

    /// <summary>
    /// §1.9: a <c>transition</c> attribute <c>&lt;state&gt;:&lt;target&gt;:&lt;expire_ms&gt;</c> gives the state;
    /// otherwise <c>installed</c> reads as <c>stopped</c> and other zone states as themselves; a stopped zone
    /// with the provisioning marker is <c>provisioning</c>; the failed marker overrides everything.
    /// </summary>
    public static VmDerivedState Derive(string zoneState, string? transition = null, bool provisioning = false, bool failed = false)
    {
        ArgumentNullException.ThrowIfNull(zoneState);
        string state;
        string? to = null;
        long? expire = null;
        string[] parts = transition?.Split(':', 3) ?? [];
        if (parts.Length == 3 && parts[0].Length > 0
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long ms))
        {
            state = parts[0];
            to = parts[1];
            expire = ms;
        }
        else
        {
            state = zoneState == "installed" ? "stopped" : zoneState;
        }
        if (state == "stopped" && provisioning)
            state = "provisioning";
        if (failed)
            state = "failed";
        return new VmDerivedState(state, to, expire);
    }
}
