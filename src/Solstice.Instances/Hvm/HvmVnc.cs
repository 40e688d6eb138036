namespace Solstice.Instances.Hvm;

/// <summary>
/// vnc_port and vnc_password. QEMU always serves VNC on a unix socket (<see cref="HvmPaths.Vnc"/>);
/// the TCP port (<paramref name="Port"/>: 0 random, -1 none, else that port) is the daemon's
/// <see cref="VncProxy"/>, as SmartOS's vmadmd proxies TCP to the zone's /tmp/vm.vnc. A password
/// makes QEMU require VNC authentication; its value is set over QMP (set_password), never on
/// the command line, where any local user could read it.
/// </summary>
public sealed record HvmVnc(int Port = 0, string? Password = null)
{
    public const int Random = 0;
    public const int Disabled = -1;

    public bool HasPassword => !string.IsNullOrEmpty(Password);
}
