using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Linux.Interop;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// df in a zone shows the zone's quota, as on SmartOS, not the whole btrfs pool: the statfs agent
/// answers the zone's statfs(2) from its qgroup (docs/security.md). Other filesystems, symlinks
/// that point "out" and a crashed daemon must not change what the kernel would say, or hang.
/// </summary>
[Collection("Zones")]
public sealed class ZoneStatfsTests
{
    private const long QuotaKiB = 1L << 20;

    [PrivilegedFact]
    public unsafe void Df_in_a_zone_shows_its_quota_and_keeps_answering_while_solsticed_is_down()
    {
        using var d = new NodeDaemon("3G");
        string uuid = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "df", ["max_physical_memory"] = 64, ["quota"] = 1 });
        string zoneRoot = Path.Combine(d.Pool.Pool.MountPoint, uuid, "root");

        var before = Df(d, uuid, "/");
        Assert.InRange(before.TotalKiB, QuotaKiB - 8, QuotaKiB + 8);
        Assert.Equal(before.TotalKiB, before.UsedKiB + before.AvailableKiB);

        // Writing 100 MiB shows in "used" once the transaction commits (sync) and the agent's one-second cache expires.
        Assert.Equal(0, d.Zlogin(uuid, "/bin/sh", "-c", "dd if=/dev/zero of=/root/blob bs=1M count=100 2>/dev/null; sync").ExitCode);
        var after = WaitForDf(d, uuid, "/", df => df.UsedKiB >= before.UsedKiB + 95 * 1024, "used to grow by 100 MiB");
        Assert.InRange(after.TotalKiB, QuotaKiB - 8, QuotaKiB + 8);
        Assert.InRange(after.AvailableKiB, before.AvailableKiB - 110 * 1024, before.AvailableKiB - 95 * 1024);

        // Other filesystems are the kernel's: /proc is empty, /dev is the zone's own tmpfs.
        Assert.Equal(0, Df(d, uuid, "/proc").TotalKiB);
        int pid = d.Get(uuid)["pid"]!.GetValue<int>();
        Libc.StatFsBuffer dev;
        Assert.Equal(0, Libc.StatFs($"/proc/{pid}/root/dev", &dev));
        Assert.Equal((long)dev.Blocks * dev.FragmentSize / 1024, Df(d, uuid, "/dev").TotalKiB);

        // Symlinks to / and up past the root resolve inside the zone (its quota); a host path is not there at all.
        Assert.Equal(0, d.Zlogin(uuid, "/bin/sh", "-c", "ln -s / /root/slash; ln -s ../../../../../../.. /root/up; ln -s /proc/1/root /root/magic").ExitCode);
        Assert.InRange(Df(d, uuid, "/root/slash").TotalKiB, QuotaKiB - 8, QuotaKiB + 8);
        Assert.InRange(Df(d, uuid, "/root/up/").TotalKiB, QuotaKiB - 8, QuotaKiB + 8);
        // openat2's RESOLVE_IN_ROOT refuses magic links; the agent then lets the kernel answer (the pool's figures).
        Assert.True(Df(d, uuid, "/root/magic/").TotalKiB > 0);
        var hostOnly = d.Zlogin(uuid, "/bin/df", "-k", d.Pool.Pool.MountPoint);
        Assert.NotEqual(0, hostOnly.ExitCode);

        // fstatfs of a descriptor on the zone's dataset is answered too.
        ZoneSecurityTests.TwoZones.GiveProbe(d, uuid, ZoneProbe.Build(d.Pool.Directory));
        var fstatfs = d.Zlogin(uuid, "/root/probe", "fstatfs", "/root");
        long size = long.Parse(fstatfs.Output.Split(' ', '\n').Single(f => f.StartsWith("size=", StringComparison.Ordinal))[5..],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(size, QuotaKiB * 1024 - 8192, QuotaKiB * 1024 + 8192);

        // Every zlogin brought its own listener; each is dropped when its processes are gone, leaving init's.
        int agent = AgentPid(d);
        var drained = Stopwatch.StartNew();
        while (Listeners(agent) > 1 && drained.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(100);
        Assert.Equal(1, Listeners(agent));

        // A loop in the zone runs df once a second; it must keep completing with solsticed killed.
        Assert.Equal(0, d.Zlogin(uuid, "/bin/sh", "-c",
            "setsid /bin/sh -c 'i=0; while :; do i=$((i+1)); df -k / >/root/df.tmp 2>&1; echo n=$i >>/root/df.tmp; mv /root/df.tmp /root/df.out; sleep 1; done' </dev/null >/dev/null 2>&1 &").ExitCode);
        int n0 = WaitForLoop(zoneRoot, 0);
        d.Kill();
        int n1 = WaitForLoop(zoneRoot, n0 + 2);
        string output = File.ReadAllText(Path.Combine(zoneRoot, "root", "df.out"));
        Assert.InRange(ParseDf(output).TotalKiB, QuotaKiB - 8, QuotaKiB + 8);

        d.Start();
        WaitForLoop(zoneRoot, n1 + 1);
        Assert.Equal(agent, AgentPid(d));
        var restarted = Df(d, uuid, "/");
        Assert.InRange(restarted.TotalKiB, QuotaKiB - 8, QuotaKiB + 8);
        Assert.True(restarted.UsedKiB >= before.UsedKiB + 95 * 1024, $"used after restart: {restarted.UsedKiB} KiB");

        Assert.Equal(0, d.Run("vmadm", "stop", uuid, "-F").ExitCode);
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }

    [PrivilegedFact]
    public void A_zone_without_a_quota_sees_the_pool()
    {
        using var d = new NodeDaemon("3G");
        string uuid = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "df-pool", ["max_physical_memory"] = 64 });
        var df = Df(d, uuid, "/");
        Assert.True(df.TotalKiB > QuotaKiB * 2, $"df / without a quota: {df.TotalKiB} KiB");
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }

    /// <summary>
    /// A zone calling statfs in a tight loop slows only itself: its listener's answers are paced
    /// (StatfsAgent.AnswersPerSecond), so another zone's statfs and the daemon stay quick.
    /// </summary>
    [PrivilegedFact]
    public void A_zone_flooding_statfs_does_not_starve_another_zone_or_the_daemon()
    {
        using var d = new NodeDaemon("4G");
        string probe = ZoneProbe.Build(d.Pool.Directory);
        string flooder = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "flood", ["max_physical_memory"] = 64, ["quota"] = 1 });
        string quiet = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "quiet", ["max_physical_memory"] = 64, ["quota"] = 1 });
        foreach (string zone in new[] { flooder, quiet })
            ZoneSecurityTests.TwoZones.GiveProbe(d, zone, probe);
        long host = Nanoseconds(ZoneProbe.RunOnHost(probe, "statfsloop", "20000", d.Pool.Pool.MountPoint).Output);
        // 400 calls stay within one listener's burst (StatfsAgent.Burst), so this is the cost of a round trip, not the pacing.
        long alone = Nanoseconds(d.Zlogin(quiet, "/root/probe", "statfsloop", "400", "/").Output);
        long passedThrough = Nanoseconds(d.Zlogin(quiet, "/root/probe", "statfsloop", "400", "/proc").Output);
        long paced = Nanoseconds(d.Zlogin(quiet, "/root/probe", "statfsloop", "5000", "/").Output);
        Assert.Equal(0, d.Zlogin(flooder, "/bin/sh", "-c",
            "for i in 1 2 3 4; do setsid /root/probe statfsloop 1000000000 / </dev/null >/dev/null 2>&1 & done").ExitCode);
        Thread.Sleep(1000);
        long flooded = Nanoseconds(d.Zlogin(quiet, "/root/probe", "statfsloop", "400", "/").Output);
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, d.Run("vmadm", "list").ExitCode);
        var list = watch.Elapsed;
        Console.WriteLine($"statfs: host {host} ns, zone / {alone} ns, zone /proc (passed to the kernel) {passedThrough} ns, "
            + $"zone / past its burst {paced} ns, zone / beside a flooding zone {flooded} ns; vmadm list {list.TotalMilliseconds:F0} ms");
        Assert.True(flooded < Math.Max(20 * alone, 2_000_000), $"statfs beside a flooding zone: {flooded} ns a call, {alone} ns alone");
        Assert.True(list < TimeSpan.FromSeconds(5), $"vmadm list took {list}");
        Assert.Equal(0, d.Run("vmadm", "stop", flooder, "-F").ExitCode);
    }

    private static long Nanoseconds(string output)
    {
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("ns=", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"probe statfsloop: {output}");
        return long.Parse(line[3..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private readonly record struct DfLine(long TotalKiB, long UsedKiB, long AvailableKiB);

    private static DfLine Df(NodeDaemon d, string uuid, string path)
    {
        var (code, output) = d.Zlogin(uuid, "/bin/df", "-k", path);
        Assert.True(code == 0, $"df -k {path} in the zone: {output}");
        return ParseDf(output);
    }

    /// <summary>busybox df -k: a header, then "filesystem 1K-blocks used available use% mounted-on".</summary>
    private static DfLine ParseDf(string output)
    {
        var line = output.Split('\n').First(l => l.Length > 0 && !l.StartsWith("Filesystem", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long F(int i) => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture);
        return new DfLine(F(1), F(2), F(3));
    }

    private static DfLine WaitForDf(NodeDaemon d, string uuid, string path, Func<DfLine, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var df = Df(d, uuid, path);
            if (condition(df))
                return df;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"timed out waiting for {what}: last {df}");
            d.Zlogin(uuid, "/bin/sync");
            Thread.Sleep(500);
        }
    }

    /// <summary>Waits (at most 15 s: a df stuck on a dead agent would stop the loop) until the zone's df loop passed round n.</summary>
    private static int WaitForLoop(string zoneRoot, int n)
    {
        string file = Path.Combine(zoneRoot, "root", "df.out");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                var round = File.ReadAllLines(file).LastOrDefault(l => l.StartsWith("n=", StringComparison.Ordinal));
                if (round is not null && int.Parse(round[2..], System.Globalization.CultureInfo.InvariantCulture) is int seen && seen >= n && seen > 0)
                    return seen;
            }
            catch (IOException)
            {
            }
            Thread.Sleep(100);
        }
        throw new Xunit.Sdk.XunitException($"the zone's df loop did not reach round {n} in 15 s: {(File.Exists(file) ? File.ReadAllText(file) : "no output")}");
    }

    /// <summary>The seccomp listeners the agent holds.</summary>
    private static int Listeners(int agent) =>
        Directory.GetFiles($"/proc/{agent}/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.Contains("seccomp", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static int AgentPid(NodeDaemon d)
    {
        string socket = Path.Combine(d.RunDir, "statfs.sock");
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("statfs-agent " + socket, StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException)
            {
            }
        }
        throw new Xunit.Sdk.XunitException($"no statfs agent for {socket}");
    }
}
