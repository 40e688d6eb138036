using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// Root inside a zone attempts real escapes; every attempt must fail, and the host and the other
/// zone stay up. Runs against the node's default profile (capabilities, seccomp, masked paths,
/// device cgroup), on both brands.
/// </summary>
[Collection("Zones")]
public sealed class ZoneSecurityTests : IClassFixture<ZoneSecurityTests.TwoZones>
{
    private readonly TwoZones _zones;

    public ZoneSecurityTests(TwoZones zones) => _zones = zones;

    public sealed class TwoZones : IDisposable
    {
        private readonly Lazy<(NodeDaemon Daemon, string Joyent, string Lx, string Probe)> _state = new(() =>
        {
            var daemon = new NodeDaemon("4G");
            try
            {
                string probe = ZoneProbe.Build(daemon.Pool.Directory);
                string joyent = daemon.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "tenant-a", ["max_physical_memory"] = 64, ["max_lwps"] = 60, ["quota"] = 1 });
                string lx = daemon.Create(new JsonObject { ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "tenant-b", ["max_physical_memory"] = 64 });
                foreach (string zone in new[] { joyent, lx })
                    GiveProbe(daemon, zone, probe);
                return (daemon, joyent, lx, probe);
            }
            catch
            {
                daemon.Dispose();
                throw;
            }
        });

        public NodeDaemon Daemon => _state.Value.Daemon;
        public string Joyent => _state.Value.Joyent;
        public string Lx => _state.Value.Lx;

        /// <summary>The probe on the host (ZoneProbe); each zone has a copy at /root/probe.</summary>
        public string Probe => _state.Value.Probe;

        /// <summary>Copies the probe into the zone's /root (its own dataset in both brands; /tmp may be a tmpfs).</summary>
        public static void GiveProbe(NodeDaemon daemon, string zone, string probe)
        {
            string target = Path.Combine(daemon.Pool.Pool.MountPoint, zone, "root", "root", "probe");
            File.Copy(probe, target, overwrite: true);
            File.SetUnixFileMode(target, (UnixFileMode)0x1ed);
        }

        public void Dispose()
        {
            if (_state.IsValueCreated)
                _state.Value.Daemon.Dispose();
        }
    }

    private NodeDaemon D => _zones.Daemon;

    private (int ExitCode, string Output) In(string uuid, string script) => D.Zlogin(uuid, "sh", "-c", script);

    private void Refused(string script)
    {
        foreach (string zone in new[] { _zones.Joyent, _zones.Lx })
        {
            var result = In(zone, script);
            Assert.True(result.ExitCode != 0, $"'{script}' succeeded in zone {zone}: {result.Output}");
        }
    }

    [PrivilegedFact]
    public void Mounting_a_filesystem_fails() => Refused("mkdir -p /tmp/m && mount -t tmpfs none /tmp/m");

    [PrivilegedFact]
    public void Loading_a_module_fails() => Refused("echo junk > /tmp/x.ko && insmod /tmp/x.ko");

    [PrivilegedFact]
    public void Opening_a_raw_disk_fails()
    {
        var disk = File.Exists("/dev/vda") ? "254 0" : "8 0";
        foreach (string zone in new[] { _zones.Joyent, _zones.Lx })
            Assert.Equal(0, In(zone, "test ! -e /dev/vda && test ! -e /dev/sda").ExitCode);
        Refused($"mknod /tmp/disk b {disk} 2>/dev/null; dd if=/tmp/disk of=/dev/null bs=512 count=1");
    }

    [PrivilegedFact]
    public void Writing_sys_and_proc_sys_fails()
    {
        Refused("echo 1 > /sys/kernel/mm/ksm/run");
        Refused("echo evil > /proc/sys/kernel/hostname");
        Refused("echo 0 > /proc/sys/kernel/randomize_va_space");
    }

    [PrivilegedFact]
    public void Host_and_other_zone_processes_are_invisible()
    {
        string joyentPid = D.Get(_zones.Joyent)["pid"]!.GetValue<int>().ToString();
        string lxPid = D.Get(_zones.Lx)["pid"]!.GetValue<int>().ToString();
        foreach (string zone in new[] { _zones.Joyent, _zones.Lx })
        {
            var ps = In(zone, "ls /proc | grep -E '^[0-9]+$' | wc -l");
            Assert.Equal(0, ps.ExitCode);
            Assert.InRange(int.Parse(ps.Output.Trim()), 1, 12);
            var cmdlines = In(zone, "cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
            Assert.DoesNotContain("solsticed", cmdlines.Output);
            Assert.DoesNotContain("dotnet", cmdlines.Output);
            Assert.NotEqual(0, In(zone, $"test -d /proc/{D.Pid}/root && ls /proc/{D.Pid}/root/etc").ExitCode);
        }
        Assert.NotEqual(0, In(_zones.Joyent, $"cat /proc/{lxPid}/root/etc/hostname | grep -q {_zones.Lx}").ExitCode);
        Assert.NotEqual(0, In(_zones.Lx, $"cat /proc/{joyentPid}/root/etc/hostname | grep -q {_zones.Joyent}").ExitCode);
    }

    [PrivilegedFact]
    public void Another_zones_files_are_unreachable()
    {
        File.WriteAllText($"{D.Pool.Pool.MountPoint}/{_zones.Lx}/root/root/secret", "tenant-b secret");
        var attempt = In(_zones.Joyent, $"cat /zones/{_zones.Lx}/root/root/secret {D.Pool.Pool.MountPoint}/{_zones.Lx}/root/root/secret 2>/dev/null; " +
            "find / -xdev -name secret 2>/dev/null");
        Assert.DoesNotContain("tenant-b secret", attempt.Output);
        Assert.DoesNotContain("/root/secret", attempt.Output);
    }

    [PrivilegedFact]
    public void Raising_its_own_cgroup_limits_fails()
    {
        Refused("echo max > /sys/fs/cgroup/pids/pids.max");
        Refused("echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes");
        Assert.Equal("60", File.ReadAllText($"/sys/fs/cgroup/pids/solstice/{_zones.Joyent}/pids.max").Trim());
    }

    [PrivilegedFact]
    public void The_hosts_hostname_stays()
    {
        string before = File.ReadAllText("/proc/sys/kernel/hostname");
        In(_zones.Joyent, "hostname evil-host");
        In(_zones.Lx, "hostname evil-host");
        Assert.Equal(before, File.ReadAllText("/proc/sys/kernel/hostname"));
    }

    [PrivilegedFact]
    public void Rebooting_the_host_fails_and_the_zones_stay()
    {
        Refused("reboot -f");
        Refused("halt -f");
        Assert.Equal("running", D.Get(_zones.Joyent)["state"]!.GetValue<string>());
        Assert.Equal("running", D.Get(_zones.Lx)["state"]!.GetValue<string>());
    }

    [PrivilegedFact]
    public void A_fork_bomb_stops_at_max_lwps()
    {
        // The bomb runs in a subshell (dash, the joyent zone's /bin/sh, exits when a fork fails),
        // and only builtins follow it: once the zone is at its limit nothing else can fork.
        var bomb = In(_zones.Joyent, "(i=0; while [ $i -lt 200 ]; do sleep 30 </dev/null >/dev/null 2>&1 & i=$((i+1)); done) 2>/tmp/err; " +
            "c=0; while read l; do c=$((c+1)); done </tmp/err; echo failed=$c; " +
            "read cur </sys/fs/cgroup/pids/pids.current; echo current=$cur; kill -9 -1");
        Assert.Matches(@"failed=[1-9]", bomb.Output);
        var current = System.Text.RegularExpressions.Regex.Match(bomb.Output, @"current=(\d+)");
        Assert.True(current.Success, bomb.Output);
        Assert.InRange(int.Parse(current.Groups[1].Value), 50, 60);
        Assert.Equal("60", File.ReadAllText($"/sys/fs/cgroup/pids/solstice/{_zones.Joyent}/pids.max").Trim());
        Assert.Equal(0, In(_zones.Lx, "true").ExitCode);
        Assert.Equal("running", D.Get(_zones.Joyent)["state"]!.GetValue<string>());
    }

    [PrivilegedFact]
    public void A_memory_hog_is_oom_killed_inside_the_zone()
    {
        var hog = In(_zones.Joyent, "dd if=/dev/zero of=/dev/null bs=600M count=1; echo exit=$?");
        Assert.DoesNotContain("exit=0", hog.Output);
        Assert.Equal("running", D.Get(_zones.Joyent)["state"]!.GetValue<string>());
        Assert.Equal("running", D.Get(_zones.Lx)["state"]!.GetValue<string>());
        Assert.Equal(0, In(_zones.Joyent, "true").ExitCode);
        Assert.Equal(0, In(_zones.Lx, "true").ExitCode);
        string oom = File.ReadAllText($"/sys/fs/cgroup/memory/solstice/{_zones.Joyent}/memory.oom_control");
        Assert.Matches(@"oom_kill [1-9]", oom);
    }

    [PrivilegedFact]
    public void A_disk_fill_stops_at_the_quota()
    {
        var fill = In(_zones.Joyent, "dd if=/dev/zero of=/root/fill bs=1M count=1500; echo exit=$?; sync; rm -f /root/fill");
        Assert.DoesNotContain("exit=0", fill.Output);
        Assert.Contains("quota", fill.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, In(_zones.Lx, "echo fine > /root/ok").ExitCode);
    }

    private const UnixFileMode Open = (UnixFileMode)0x1ed;

    /// <summary>Runs the probe on the host as root; "as 65534 PATH" then runs PATH as nobody.</summary>
    private (int ExitCode, string Output) AsNobodyOnHost(string path) => ZoneProbe.RunOnHost(_zones.Probe, "as", "65534", path, "euid");

    /// <summary>
    /// The escape of issue #12: zone root plants a setuid-root binary, a host user runs it through
    /// /zones/&lt;uuid&gt;/root. Refused twice over: the zonepath is 0700, and the host's mount of the pool
    /// is nosuid (shown by opening the zonepath up for a moment). Inside the zone the same file still
    /// elevates a non-root zone user, since the runtime takes zone roots from the pool's runtime view.
    /// </summary>
    [PrivilegedFact]
    public void A_setuid_root_file_planted_by_zone_root_elevates_no_host_user_but_works_in_the_zone()
    {
        foreach (string zone in new[] { _zones.Joyent, _zones.Lx })
        {
            var plant = In(zone, "cp /root/probe /opt/x && chown 0:0 /opt/x && chmod 4755 /opt/x && /root/probe as 65534 /opt/x euid");
            Assert.True(plant.ExitCode == 0, $"zone {zone}: {plant.Output}");
            Assert.Contains("euid=0", plant.Output);

            string zonepath = Path.Combine(D.Pool.Pool.MountPoint, zone);
            string planted = Path.Combine(zonepath, "root", "opt", "x");
            Assert.Equal(UnixFileMode.SetUser, File.GetUnixFileMode(planted) & UnixFileMode.SetUser);
            var exploit = AsNobodyOnHost(planted);
            Assert.NotEqual(0, exploit.ExitCode);
            Assert.DoesNotContain("euid=0", exploit.Output);
            Assert.Contains("Permission denied", exploit.Output);

            File.SetUnixFileMode(zonepath, Open);
            try
            {
                var throughMount = AsNobodyOnHost(planted);
                Assert.True(throughMount.ExitCode == 0, throughMount.Output);
                Assert.Contains("euid=65534", throughMount.Output);
            }
            finally
            {
                File.SetUnixFileMode(zonepath, Solstice.Storage.DatasetModes.Private);
            }
        }
    }

    /// <summary>
    /// Zones share uids with the host (no user namespace), so a host user with the uid of a zone
    /// process can open /proc/&lt;pid&gt;/root and reach the zone's root mount, which does honour
    /// setuid. The kernel treats a mount of another mount namespace as nosuid (mnt_may_suid), so the
    /// planted file runs, but without euid 0.
    /// </summary>
    [PrivilegedFact]
    public void A_host_user_sharing_a_zone_users_uid_gains_nothing_through_proc_root()
    {
        var plant = In(_zones.Lx, "cp /root/probe /opt/y && chown 0:0 /opt/y && chmod 4755 /opt/y && " +
            "(/root/probe as 4242 /bin/sleep 4242 </dev/null >/dev/null 2>&1 &) ; /root/probe as 4242 /opt/y euid");
        Assert.Contains("euid=0", plant.Output);
        int pid = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), out int p) && File.ReadAllText(Path.Combine(dir, "cmdline")) == "/bin/sleep\04242\0"
                    && File.ReadAllText(Path.Combine(dir, "cgroup")).Contains(_zones.Lx, StringComparison.Ordinal))
                    pid = p;
            }
            catch (IOException)
            {
            }
        }
        Assert.NotEqual(0, pid);
        try
        {
            var attempt = ZoneProbe.RunOnHost(_zones.Probe, "as", "4242", $"/proc/{pid}/root/opt/y", "euid");
            Assert.True(attempt.ExitCode == 0, attempt.Output);
            Assert.Contains("euid=4242", attempt.Output);
        }
        finally
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
    }

    [PrivilegedFact]
    public void A_setuid_file_an_image_brings_elevates_no_host_user()
    {
        using var dir = new TempDirectory("solstice-suid-image");
        var builder = new TestImageBuilder { Name = "suid-image" }.Rootfs();
        builder.Add(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "./bin/x")
        {
            Mode = Open | UnixFileMode.SetUser,
            DataStream = new MemoryStream(File.ReadAllBytes(_zones.Probe)),
        });
        var image = builder.Write(dir.Path);
        var install = D.Run("imgadm", "install", "-q", "-m", image.ManifestPath, "-f", image.FilePath);
        Assert.True(install.ExitCode == 0, install.Error);

        string dataset = Path.Combine(D.Pool.Pool.MountPoint, image.Uuid.ToString());
        string planted = Path.Combine(dataset, "root", "bin", "x");
        Assert.Equal(UnixFileMode.SetUser, File.GetUnixFileMode(planted) & UnixFileMode.SetUser);
        string snapshotted = Path.Combine(D.Pool.Pool.MountPoint, ".snapshots", $"{image.Uuid}@final", "root", "bin", "x");
        foreach (string path in new[] { planted, snapshotted })
        {
            var exploit = AsNobodyOnHost(path);
            Assert.NotEqual(0, exploit.ExitCode);
            Assert.Contains("Permission denied", exploit.Output);
        }
        File.SetUnixFileMode(dataset, Open);
        try
        {
            var throughMount = AsNobodyOnHost(planted);
            Assert.True(throughMount.ExitCode == 0, throughMount.Output);
            Assert.Contains("euid=65534", throughMount.Output);
        }
        finally
        {
            File.SetUnixFileMode(dataset, Solstice.Storage.DatasetModes.Private);
        }
    }

    /// <summary>Modes and mount flags behind the two tests above, and node state files readable by root only.</summary>
    [PrivilegedFact]
    public void Tenant_trees_and_node_state_are_root_only_and_the_pool_is_nosuid_nodev()
    {
        string pool = D.Pool.Pool.MountPoint;
        foreach (string path in new[] { _zones.Joyent, _zones.Lx, BusyboxImage.Uuid, ".snapshots", ".solstice", "config", "images" })
            Assert.Equal(Solstice.Storage.DatasetModes.Private, File.GetUnixFileMode(Path.Combine(pool, path)));

        const long NoSuid = 2, NoDev = 4;
        long hostFlags = StatFsFlags(pool);
        Assert.Equal(NoSuid | NoDev, hostFlags & (NoSuid | NoDev));
        string view = Solstice.Storage.PoolManager.RuntimeViewOf(pool);
        Assert.NotNull(Mounts.Find(view));
        Assert.Equal(NoDev, StatFsFlags(view) & (NoSuid | NoDev));

        var rule = D.Run("fwadm", "add", "-g", $"FROM any TO vm {_zones.Lx} ALLOW tcp PORT 22");
        Assert.True(rule.ExitCode == 0, rule.Error);
        var records = Directory.GetFiles(Path.Combine(pool, "config"), "*", SearchOption.AllDirectories);
        Assert.Contains(records, f => f.EndsWith($"{_zones.Lx}.json", StringComparison.Ordinal));
        Assert.Contains(records, f => f.Contains("/fw/", StringComparison.Ordinal));
        var stateFiles = records
            .Concat(Directory.GetFiles(Path.Combine(pool, "images"), "*.json"))
            .Concat(Directory.GetFiles(Path.Combine(D.RunDir, "bundles"), "config.json", SearchOption.AllDirectories))
            .Append(D.Pool.ConfigPath);
        foreach (string file in stateFiles)
            Assert.True((File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) == 0, $"{file} is {File.GetUnixFileMode(file)}");
    }

    /// <summary>
    /// A node upgraded from a version without these protections: a 0644 record, a 0755 zonepath, a
    /// pool mount without nosuid and no runtime view. The next daemon start puts all of it right, and
    /// the running zones stay up.
    /// </summary>
    [PrivilegedFact]
    public void A_restart_tightens_what_an_older_version_left_open()
    {
        string pool = D.Pool.Pool.MountPoint;
        string record = Path.Combine(pool, "config", $"{_zones.Joyent}.json");
        string zonepath = Path.Combine(pool, _zones.Joyent);
        string view = Solstice.Storage.PoolManager.RuntimeViewOf(pool);
        D.Stop();
        File.SetUnixFileMode(record, AtomicFile.PublicMode);
        File.SetUnixFileMode(zonepath, Open);
        Assert.Equal(0, Linux.Interop.Libc.Umount2(view, 0));
        var remount = ProcessCommandRunner.Instance.Run(["mount", "-o", "remount,bind,suid,dev", pool]);
        Assert.True(remount.Succeeded, remount.StandardError);
        Assert.Equal(0L, StatFsFlags(pool) & 2);
        D.Start();
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(record));
        Assert.Equal(Solstice.Storage.DatasetModes.Private, File.GetUnixFileMode(zonepath));
        Assert.Equal(6L, StatFsFlags(pool) & 6);
        Assert.NotNull(Mounts.Find(view));
        Assert.Equal("running", D.Get(_zones.Joyent)["state"]!.GetValue<string>());
        Assert.Equal(0, In(_zones.Joyent, "true").ExitCode);
    }

    private static unsafe long StatFsFlags(string path)
    {
        Linux.Interop.Libc.StatFsBuffer buffer;
        Assert.Equal(0, Linux.Interop.Libc.StatFs(path, &buffer));
        return buffer.Flags;
    }

    /// <summary>
    /// AF_VSOCK is not namespaced: on this host (a VM with a vsock device) the host itself can open one,
    /// on every ABI, so a refusal in the zone is the seccomp profile's doing. Tried on the 64-bit ABI and
    /// on both i386 entry points (the direct socket call and the socketcall multiplexer).
    /// </summary>
    [PrivilegedFact]
    public void Vsock_sockets_are_refused_in_every_zone()
    {
        var host = ZoneProbe.RunOnHost(_zones.Probe, "socket", "40", "1", "0");
        Assert.Contains("socket=", host.Output);
        foreach (string zone in new[] { _zones.Joyent, _zones.Lx })
        {
            foreach (string abi in new[] { "socket", "socket32", "socketcall32" })
            {
                var attempt = In(zone, $"/root/probe {abi} 40 1 0");
                Assert.True(attempt.Output.Contains("socket=errno1", StringComparison.Ordinal), $"{abi} in zone {zone}: {attempt.Output} (host: {host.Output})");
                // A TCP socket still opens through the 64-bit call and the i386 direct call. socketcall(2)
                // passes its arguments in memory, which no filter can read: libseccomp turns a socket rule
                // with conditions into a refusal of every socketcall(SYS_SOCKET), the price of closing
                // vsock to i386 code (docs/security.md, "Sockets").
                var inet = In(zone, $"/root/probe {abi} 2 1 0");
                string expected = abi == "socketcall32" ? "socket=errno1" : "socket=ok";
                Assert.True(inet.Output.Contains(expected, StringComparison.Ordinal), $"{abi} AF_INET in zone {zone}: {inet.Output}");
            }
        }
    }

    /// <summary>
    /// SmartOS's default limit_priv for exclusive-IP zones holds net_rawaccess, so a default zone opens
    /// AF_PACKET sockets (in its own network namespace); "default,-net_rawaccess" takes link-layer and
    /// non-ICMP raw IP sockets away and leaves ping's raw ICMP sockets.
    /// </summary>
    [PrivilegedFact]
    public void Packet_and_raw_sockets_follow_limit_priv_net_rawaccess()
    {
        const string Attempts = "for a in '17 3 768' '2 10 768' '2 3 6' '10 3 17' '2 3 1' '10 3 58'; do /root/probe socket $a; done";
        Assert.Contains("socket=ok", In(_zones.Lx, "/root/probe socket 17 3 768").Output);
        string zone = D.Create(new JsonObject
        {
            ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "no-raw", ["max_physical_memory"] = 64,
            ["limit_priv"] = "default,-net_rawaccess",
        });
        try
        {
            TwoZones.GiveProbe(D, zone, _zones.Probe);
            var lines = In(zone, Attempts).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["socket=errno1", "socket=errno1", "socket=errno1", "socket=errno1", "socket=ok", "socket=ok"], lines);
        }
        finally
        {
            D.Run("vmadm", "delete", zone);
        }
    }
}
