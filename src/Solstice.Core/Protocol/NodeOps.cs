namespace Solstice.Core.Protocol;

/// <summary>
/// The operation names of the node socket (NodeProtocol's "op"), one constant per wire name,
/// used by the daemon's handler table and by every client. A test checks that the daemon
/// handles exactly <see cref="All"/>.
/// </summary>
public static class NodeOps
{
    public const string Ping = "ping";
    public const string VmCreate = "vm.create";
    public const string VmGet = "vm.get";
    public const string VmList = "vm.list";
    public const string VmLookup = "vm.lookup";
    public const string VmUpdate = "vm.update";
    public const string VmValidate = "vm.validate";
    public const string VmStart = "vm.start";
    public const string VmStop = "vm.stop";
    public const string VmReboot = "vm.reboot";
    public const string VmKill = "vm.kill";
    public const string VmDelete = "vm.delete";
    public const string VmSnapshotCreate = "vm.snapshot.create";
    public const string VmSnapshotRollback = "vm.snapshot.rollback";
    public const string VmSnapshotDelete = "vm.snapshot.delete";
    public const string VmExec = "vm.exec";

    /// <summary>Streams VM change events after its reply.</summary>
    public const string VmEvents = "vm.events";

    /// <summary>Carries raw console bytes both ways after its reply.</summary>
    public const string VmConsole = "vm.console";

    public const string Fwadm = "fwadm";
    public const string Nictagadm = "nictagadm";

    /// <summary>The prefix of the VM operations; the CLI names a verb by what follows it.</summary>
    public const string VmPrefix = "vm.";

    public static IReadOnlyList<string> All { get; } =
    [
        Ping, VmCreate, VmGet, VmList, VmLookup, VmUpdate, VmValidate, VmStart, VmStop, VmReboot, VmKill, VmDelete,
        VmSnapshotCreate, VmSnapshotRollback, VmSnapshotDelete, VmExec, VmEvents, VmConsole, Fwadm, Nictagadm,
    ];
}
