using Solstice.Linux;

namespace Solstice.Node;

/// <summary>
/// What the platform lends every joyent-brand zone, read-only at /.solstice (SmartOS lends its
/// zones /sbin/init and SMF the same way). A joyent zone's /sbin is the host's, so its init
/// can't come from the image: it is zinit, a POSIX shell script that runs the zone's
/// /etc/rc.local at boot and /etc/rc.shutdown at stop, keeps a shell on the console, reaps
/// orphans, and exits on SIGTERM.
/// </summary>
public static class PlatformFiles
{
    public const string MountPoint = "/.solstice";

    public const string ZoneInit = MountPoint + "/zinit";

    private const string ZinitScript = """
        #!/bin/sh
        # zinit: init of Solstice joyent-brand zones. Written by solsticed; do not edit.
        stop() {
            [ -x /etc/rc.shutdown ] && /etc/rc.shutdown
            kill -TERM -1 2>/dev/null
            exit 0
        }
        trap stop TERM INT
        trap '' HUP
        [ -x /etc/rc.local ] && /etc/rc.local
        # A shell on the console (zlogin -C, vmadm console), respawned when it exits.
        if [ -c /dev/console ]; then
            (while :; do sh -i </dev/console >/dev/console 2>&1; sleep 1; done) &
        fi
        while :; do
            sleep 86400 &
            wait
        done
        """;

    /// <summary>Writes the platform directory under runDir; returns its host path.</summary>
    public static string Write(string runDir)
    {
        string directory = Path.Combine(runDir, "platform");
        Directory.CreateDirectory(directory);
        string zinit = Path.Combine(directory, "zinit");
        AtomicFile.WriteText(zinit, ZinitScript.Replace("\r", "") + "\n");
        File.SetUnixFileMode(zinit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return directory;
    }
}
