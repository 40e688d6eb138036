using System.Text.Json.Nodes;

namespace Solstice.Instances;

/// <summary>A booted instance: the pid the node watches and its console's pty master (-1 for none), owned by the caller.</summary>
public sealed record InstanceBoot(int Pid, int ConsoleMaster);

/// <summary>What a driver reports about one instance.</summary>
public sealed record InstanceState(bool Running, int Pid, DateTimeOffset? Started);

/// <summary>
/// The instance-driver layer: runs one VM from its vmadm object (the stored JSON the VM service
/// keeps). The VM service chooses a driver by brand through <see cref="InstanceDrivers"/> and
/// never by type; what it may ask of a driver is in <see cref="Info"/>. The service owns the
/// order of a lifecycle (records, intents, locks, the supervisor that waits for the instance's
/// pid, consoles, networking); a driver does only the instance's own part. Every method is
/// synchronous, runs under the VM's lock, and throws SolsticeException on failure.
/// </summary>
public interface IInstanceDriver
{
    InstanceDriverInfo Info { get; }

    /// <summary>At vmadm create, once the VM's dataset exists: what the instance needs in it before its first boot (a zone's identity files).</summary>
    void Create(JsonObject vm);

    /// <summary>Before each boot: what the instance reads at boot from its vmadm object (a zone's metadata seed files).</summary>
    void Prepare(JsonObject vm);

    /// <summary>Boots the instance with its console on a pty. Precondition: not running.</summary>
    InstanceBoot Start(JsonObject vm);

    /// <summary>After a boot, once the node watches the instance's pid: work that runs in the booted instance (a zone's boot scripts).</summary>
    void Started(JsonObject vm);

    /// <summary>Sends a signal to the instance's init, or with all to every process of it.</summary>
    void Signal(string uuid, int signal, bool all);

    /// <summary>The signal that asks the instance to shut down (SIGTERM; SIGRTMIN+3 for a systemd zone).</summary>
    int StopSignal(string uuid);

    /// <summary>Removes what the driver holds for the instance (its runtime state, bundle); force kills it first. Idempotent.</summary>
    void Delete(string uuid, bool force);

    /// <summary>The instance's state, or null when the driver holds nothing for it.</summary>
    InstanceState? State(string uuid);

    /// <summary>Every instance id the driver holds state for, so the node can sweep what no VM needs.</summary>
    IReadOnlyList<string> List();

    /// <summary>After a daemon restart, for an instance that kept running: take it over again (re-apply its stored controls).</summary>
    void Adopt(JsonObject vm);

    /// <summary>Applies the live properties of vm (<see cref="InstanceDriverInfo.LiveProperties"/>) to the running instance.</summary>
    void Update(JsonObject vm);

    /// <summary>The argv that runs a command in the running instance (zlogin).</summary>
    IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty);
}
