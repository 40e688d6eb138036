using Solstice.Linux;

namespace Solstice.Instances.Zones;

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

    /// <summary>Where zones find the guest tools (mdata-get and friends); on PATH in every zone.</summary>
    public const string ToolDirectory = MountPoint + "/bin";

    /// <summary>Writes the platform directory under runDir (zinit, and the guest tools when built); returns its host path.</summary>
    public static string Write(string runDir)
    {
        string directory = Path.Combine(runDir, "platform");
        Directory.CreateDirectory(directory);
        InstallGuestTools(Path.Combine(directory, "bin"));
        string zinit = Path.Combine(directory, "zinit");
        // 0755: zones run it, and it is lent read-only; it holds nothing secret.
        AtomicFile.WriteText(zinit, ZinitScript.Replace("\r", "") + "\n", AtomicFile.PublicMode | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return directory;
    }

    /// <summary>
    /// The NativeAOT mdata binary, from SOLSTICE_GUEST_TOOLS, beside the daemon, or the
    /// repository's artifacts/bin (a development tree). Zones without it still get the socket.
    /// </summary>
    private static void InstallGuestTools(string bin)
    {
        string? source = FindGuestTool();
        if (source is null)
        {
            Console.Error.WriteLine("solsticed: mdata guest tool not found (run scripts/build.sh); zones get no mdata-* commands");
            return;
        }
        Directory.CreateDirectory(bin);
        Replace(source, Path.Combine(bin, "mdata"));
        // The tool is linked against the host's glibc, which an lx zone's own userland may not
        // have (busybox) or may have at another version. It runs with the platform's loader and
        // libc, lent read-only with it, as SmartOS lx zones run native tools from /native.
        string lib = Path.Combine(Path.GetDirectoryName(bin)!, "lib");
        Directory.CreateDirectory(lib);
        foreach (string library in new[] { "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6" })
        {
            var resolved = File.ResolveLinkTarget(library, returnFinalTarget: true)?.FullName ?? library;
            Replace(resolved, Path.Combine(lib, Path.GetFileName(library)));
        }
        foreach (string verb in new[] { "get", "put", "delete", "list" })
        {
            string wrapper = Path.Combine(bin, $"mdata-{verb}");
            File.Delete(wrapper);
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec {MountPoint}/lib/ld-linux-x86-64.so.2 --library-path {MountPoint}/lib {ToolDirectory}/mdata {verb} \"$@\"\n");
            File.SetUnixFileMode(wrapper, (UnixFileMode)0x1ed);
        }
    }

    private static void Replace(string source, string target)
    {
        File.Copy(source, target + ".new", overwrite: true);
        File.Move(target + ".new", target, overwrite: true);
    }

    private static string? FindGuestTool()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("SOLSTICE_GUEST_TOOLS") is { Length: > 0 } configured)
            candidates.Add(Path.Combine(configured, "mdata"));
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "mdata"));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, "artifacts", "bin", "mdata"));
                break;
            }
        }
        // A JIT build beside the daemon is an assembly (mdata.dll), not a program zones can run.
        return candidates.FirstOrDefault(c => File.Exists(c) && !File.Exists(c + ".dll"));
    }
}
