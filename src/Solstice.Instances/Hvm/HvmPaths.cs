namespace Solstice.Instances.Hvm;

/// <summary>
/// Where one VM's QEMU puts its sockets and pid file. QEMU listens on every socket (server=on,
/// wait=off) and the daemon connects, so QEMU and the guest's serial lines outlive a daemon
/// restart: the restarted daemon just connects again.
/// </summary>
/// <param name="Qmp">The QMP monitor socket.</param>
/// <param name="Console">COM1 (ttyS0): the serial console.</param>
/// <param name="Metadata">COM2 (ttyS1): the metadata protocol, as SmartOS's /tmp/vm.ttyb.</param>
/// <param name="Vnc">The VNC server's unix socket.</param>
/// <param name="PidFile">QEMU's -pidfile.</param>
public sealed record HvmPaths(string Qmp, string Console, string Metadata, string Vnc, string PidFile)
{
    /// <summary>The conventional names inside a VM's runtime directory.</summary>
    public static HvmPaths In(string directory) => new(
        System.IO.Path.Combine(directory, "qmp.sock"),
        System.IO.Path.Combine(directory, "console.sock"),
        System.IO.Path.Combine(directory, "metadata.sock"),
        System.IO.Path.Combine(directory, "vnc.sock"),
        System.IO.Path.Combine(directory, "qemu.pid"));
}
