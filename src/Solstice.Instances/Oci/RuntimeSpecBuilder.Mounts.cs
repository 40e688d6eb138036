using System.Globalization;
using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

public static partial class RuntimeSpecBuilder
{
    private static JsonArray BuildMounts(ZoneRuntimeSpec spec, OciHostFeatures host)
    {
        var mounts = new JsonArray(
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            // newinstance gives the zone its own pty numbering; ptmxmode=0666 makes the /dev/pts/ptmx
            // that runc links /dev/ptmx to usable by non-root zone users.
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
        if (spec.SystemdInit)
            AddSystemdMounts(mounts, spec, host);

        if (ZoneBrands.UsesPlatformUserland(spec.Brand))
        {
            // SmartOS lofs-mounts the platform's /usr, /lib, /sbin read-only into OS zones; the zone root
            // (from the image) keeps /etc, /var, /root, /home, /opt. On a merged-/usr host /lib etc. are
            // symlinks into /usr: mounting them anyway is harmless (runc resolves a zone-side symlink such
            // as lib -> usr/lib inside the root, landing on the same files) and keeps one rule for all hosts.
            // nosuid: the host's setuid binaries must not become a way to root inside the zone.
            foreach (string dir in host.PlatformDirectories)
                mounts.Append(Mount(dir, "bind", dir, "rbind", "ro", "nosuid", "nodev"));
        }

        if (spec.TmpfsBytes is > 0 and long tmpfs)
            mounts.Append(Mount("/tmp", "tmpfs", "swap", "nosuid", "nodev", "mode=1777", $"size={tmpfs.ToString(CultureInfo.InvariantCulture)}"));

        foreach (var bind in spec.BindMounts)
        {
            string[] options = bind.ReadOnly ? ["rbind", "ro", "nosuid", "nodev"] : ["rbind", "nosuid", "nodev"];
            mounts.Append(Mount(bind.Destination, "bind", bind.Source, options));
        }
        return mounts;
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = Strings(options),
    };
}
