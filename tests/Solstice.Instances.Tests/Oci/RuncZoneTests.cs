using System.Text;
using Solstice.Instances.Oci;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

/// <summary>Real containers on this host's runc (root, SOLSTICE_PRIVILEGED_TESTS=1).</summary>
[Trait("Category", "Privileged")]
public class RuncZoneTests
{
    private const long MiB = 1L << 20;

    [PrivilegedFact]
    public void Lx_zone_runs_confined_with_its_limits_and_takes_live_updates()
    {
        string id;
        string cgroups;
        string stateRoot;
        using (var zone = new TestZone())
        {
            id = zone.Id;
            cgroups = zone.CgroupsPath;
            stateRoot = zone.Runtime.StateRoot;
            zone.InstallBusybox();
            var limits = new ZoneResourceLimits
            {
                MaxPhysicalMemoryBytes = 64 * MiB,
                MaxSwapBytes = 128 * MiB,
                MaxLwps = 100,
                CpuCap = 50,
                CpuShares = 100,
            };
            var spec = zone.Spec(ZoneBrand.Lx, ["/bin/sh", "-c", "echo zone-up; exec sleep 1000"], limits);
            zone.Boot(spec);

            var state = zone.Runtime.State(zone.Id);
            Assert.Equal(OciStatus.Running, state.Status);
            Assert.True(state.Pid > 0);
            Assert.Contains(zone.Runtime.List(), s => s.Id == zone.Id);

            Assert.Equal(spec.Hostname, zone.ExecOk("hostname").Trim());
            Assert.Equal(spec.Hostname, zone.ExecOk("cat", "/etc/hostname").Trim());
            Assert.Contains("nameserver 192.0.2.53", zone.ExecOk("cat", "/etc/resolv.conf"));
            Assert.Equal("0", zone.ExecOk("id", "-u").Trim());
            WaitFor(() => File.ReadAllText(zone.ConsoleLog).Contains("zone-up"), "init output in console.log");

            Assert.Equal((64 * MiB).ToString(), TestZone.ReadCgroup("memory", zone.CgroupsPath, "memory.limit_in_bytes"));
            if (File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
                Assert.Equal((128 * MiB).ToString(), TestZone.ReadCgroup("memory", zone.CgroupsPath, "memory.memsw.limit_in_bytes"));
            Assert.Equal("100", TestZone.ReadCgroup("pids", zone.CgroupsPath, "pids.max"));
            Assert.Equal("50000", TestZone.ReadCgroup("cpu", zone.CgroupsPath, "cpu.cfs_quota_us"));
            Assert.Equal("100000", TestZone.ReadCgroup("cpu", zone.CgroupsPath, "cpu.cfs_period_us"));
            Assert.Equal("1024", TestZone.ReadCgroup("cpu", zone.CgroupsPath, "cpu.shares"));

            var update = new ZoneResourceLimits { MaxPhysicalMemoryBytes = 96 * MiB, MaxSwapBytes = 192 * MiB, MaxLwps = 200, CpuCap = 0 };
            zone.Runtime.Update(zone.Id, RuntimeSpecBuilder.BuildResources(update, OciHostFeatures.Detect()));
            Assert.Equal((96 * MiB).ToString(), TestZone.ReadCgroup("memory", zone.CgroupsPath, "memory.limit_in_bytes"));
            Assert.Equal("200", TestZone.ReadCgroup("pids", zone.CgroupsPath, "pids.max"));
            Assert.Equal("-1", TestZone.ReadCgroup("cpu", zone.CgroupsPath, "cpu.cfs_quota_us"));

            // No CAP_SYS_ADMIN and mount(2) filtered; /proc/sys read-only; no new namespaces.
            Assert.False(zone.Exec("mount", "-t", "tmpfs", "x", "/mnt").Succeeded);
            Assert.False(zone.Exec("sh", "-c", "echo evil > /proc/sys/kernel/hostname").Succeeded);
            Assert.Equal(spec.Hostname, zone.ExecOk("hostname").Trim());
            var unshare = zone.Exec("unshare", "-U", "-r", "true");
            Assert.False(unshare.Succeeded);
            Assert.Contains("not permitted", unshare.StandardError, StringComparison.OrdinalIgnoreCase);
            string status = zone.ExecOk("cat", "/proc/self/status");
            Assert.Contains("Seccomp:\t2", status);
            ulong bounding = Convert.ToUInt64(status.Split('\n').Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim(), 16);
            Assert.Equal(0UL, bounding & (1UL << 21));
            Assert.DoesNotContain("level=warning", File.ReadAllText(zone.ConsoleLog));
            // Without a user namespace the zone has no CAP_SYS_BOOT and reboot(2) is filtered.
            zone.Exec("reboot", "-f");
            Assert.Equal(OciStatus.Running, zone.Runtime.State(zone.Id).Status);
            // Masked paths read as /dev/null.
            Assert.Equal("", zone.ExecOk("cat", "/proc/interrupts"));

            zone.Stop();
            zone.Runtime.Delete(zone.Id);
            Assert.DoesNotContain(zone.Runtime.List(), s => s.Id == zone.Id);
            Assert.False(Directory.Exists(Path.Combine(stateRoot, id)));
            Assert.Empty(zone.CgroupDirectories());
        }
        Assert.Empty(TestZone.CgroupDirectoriesOf(cgroups));
        Assert.Empty(TestZone.CgroupDirectoriesOf(TestZone.CgroupParent));
        Assert.False(Directory.Exists(stateRoot));
    }

    [PrivilegedFact]
    public void Joyent_zone_runs_the_platform_userland_read_only()
    {
        using var zone = new TestZone();
        foreach (string dir in new[] { "etc", "root", "var", "opt" })
            Directory.CreateDirectory(Path.Combine(zone.Rootfs, dir));
        var spec = zone.Spec(ZoneBrand.Joyent, ["/bin/sleep", "1000"], new ZoneResourceLimits { MaxPhysicalMemoryBytes = 128 * MiB }) with
        {
            BindMounts = [new ZoneBindMount(zone.Combine("bundle"), "/.zonecontrol", ReadOnly: true)],
        };
        zone.Boot(spec);

        Assert.Equal(spec.Hostname, zone.ExecOk("/bin/cat", "/etc/hostname").Trim());
        var write = zone.Exec("/bin/sh", "-c", "touch /usr/solstice-should-not-exist");
        Assert.False(write.Succeeded);
        Assert.False(File.Exists("/usr/solstice-should-not-exist"));
        string mounts = zone.ExecOk("/bin/cat", "/proc/self/mountinfo");
        string usr = mounts.Split('\n').First(l => l.Split(' ') is [_, _, _, _, "/usr", ..]);
        Assert.Contains("ro,nosuid,nodev", usr);
        Assert.Contains("config.json", zone.ExecOk("/bin/ls", "/.zonecontrol"));
        // The zone's /etc is its own, not the host's.
        Assert.False(zone.Exec("/bin/cat", "/etc/os-release").Succeeded);
        zone.ExecOk("/bin/sh", "-c", "echo mine > /etc/motd");
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(zone.Rootfs, "etc/motd")));
    }

    [PrivilegedFact]
    public void Terminal_zone_hands_its_pty_through_the_console_socket()
    {
        using var zone = new TestZone();
        zone.InstallBusybox();
        var spec = zone.Spec(ZoneBrand.Lx, ["/bin/sh", "-c", "echo hello-from-tty; exec sleep 1000"]) with { Terminal = true };
        using var console = ConsoleSocket.Listen(zone.Combine("console.sock"));
        zone.Boot(spec, console.SocketPath);

        using var master = console.ReceiveMaster(TimeSpan.FromSeconds(10));
        using var stream = new FileStream(master, FileAccess.ReadWrite, 1);
        var text = new StringBuilder();
        var buffer = new byte[256];
        var read = Task.Run(() =>
        {
            while (!text.ToString().Contains("hello-from-tty"))
            {
                int n = stream.Read(buffer);
                if (n == 0)
                    break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
        Assert.True(read.Wait(TimeSpan.FromSeconds(10)), $"no greeting on the pty, got '{text}'");
        Assert.Contains("hello-from-tty", text.ToString());
        Assert.Equal(OciStatus.Running, zone.Runtime.State(zone.Id).Status);
        zone.Stop();
    }

    [PrivilegedFact]
    public void User_namespaced_zone_is_root_inside_only_and_may_reboot_itself()
    {
        using var zone = new TestZone();
        zone.InstallBusybox();
        const int hostBase = 231072;
        ChownTree(zone.Rootfs, hostBase);
        var spec = zone.Spec(ZoneBrand.Lx, ["/bin/sleep", "1000"]) with { UserNamespace = new ZoneIdMapping(hostBase, hostBase, 65536) };
        zone.Boot(spec);

        Assert.Equal("0", zone.ExecOk("id", "-u").Trim());
        Assert.Contains($"{hostBase}", zone.ExecOk("cat", "/proc/self/uid_map"));
        int pid = zone.Runtime.State(zone.Id).Pid;
        string uidLine = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.Equal(hostBase.ToString(), uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        zone.ExecOk("sh", "-c", "echo written > /root/file");

        // reboot(2) with CAP_SYS_BOOT in the zone's user namespace ends only the zone's pid namespace.
        zone.Exec("reboot", "-f");
        WaitFor(() => zone.Runtime.State(zone.Id).Status == OciStatus.Stopped, "the zone to stop after reboot");
        Assert.True(Directory.Exists("/proc/1"));
    }

    [PrivilegedFact]
    public void Failed_create_reports_the_runtime_error_and_leaves_nothing_behind()
    {
        using var zone = new TestZone();
        zone.InstallBusybox();
        var spec = zone.Spec(ZoneBrand.Lx, ["/bin/no-such-init"], new ZoneResourceLimits { MaxLwps = 50 });

        var ex = Assert.Throws<Solstice.Core.SolsticeException>(() => zone.Boot(spec));

        Assert.Contains("no-such-init", ex.Message);
        Assert.DoesNotContain(zone.Runtime.List(), s => s.Id == zone.Id);
        Assert.Empty(zone.CgroupDirectories());
    }

    private static void ChownTree(string root, int id)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            Assert.Equal(0, Lchown(path, id, id));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "lchown")]
    private static extern int Lchown(string path, int uid, int gid);

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(50);
        }
    }
}
