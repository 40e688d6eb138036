using System.Text.Json.Nodes;
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
        private readonly Lazy<(NodeDaemon Daemon, string Joyent, string Lx)> _state = new(() =>
        {
            var daemon = new NodeDaemon("4G");
            string joyent = daemon.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "tenant-a", ["max_physical_memory"] = 64, ["max_lwps"] = 60, ["quota"] = 1 });
            string lx = daemon.Create(new JsonObject { ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "tenant-b", ["max_physical_memory"] = 64 });
            return (daemon, joyent, lx);
        });

        public NodeDaemon Daemon => _state.Value.Daemon;
        public string Joyent => _state.Value.Joyent;
        public string Lx => _state.Value.Lx;

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
}
