using System.Text.Json.Nodes;

namespace Solstice.Node;

/// <summary>A booted zone: its init pid and the pty master of its console (owned by the caller).</summary>
public sealed record ZoneBoot(int Pid, int ConsoleMaster);

/// <summary>What the runtime reports about one zone.</summary>
public sealed record ZoneStatus(bool Running, int Pid, DateTimeOffset? Started);

/// <summary>
/// The instance driver the VM service uses for OS zones: runs a zone from its vmadm object on
/// an OCI runtime. Every method is synchronous and throws SolsticeException on failure.
/// </summary>
public interface IZoneRuntime
{
    /// <summary>Creates and starts the zone with init on a pty. Precondition: not running.</summary>
    ZoneBoot Start(JsonObject vm);

    void Signal(string uuid, int signal, bool all);

    /// <summary>Removes the runtime's state and cgroups for the zone; force kills it first.</summary>
    void Delete(string uuid, bool force);

    /// <summary>The zone's status, or null when the runtime has no such container.</summary>
    ZoneStatus? Status(string uuid);

    /// <summary>Every container id the runtime holds in Solstice's state directory.</summary>
    IReadOnlyList<string> List();

    /// <summary>Applies the resource controls of vm to the running zone.</summary>
    void UpdateResources(JsonObject vm);

    /// <summary>The argv that runs a command in the zone (zlogin).</summary>
    IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty);

    /// <summary>The signal that asks the zone's init to shut down (SIGTERM; SIGRTMIN+3 for systemd).</summary>
    int StopSignal(string uuid) => 15;
}
