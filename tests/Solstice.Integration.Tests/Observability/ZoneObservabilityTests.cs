using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Integration.Tests.Zones;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Observability;

/// <summary>A privileged test that also needs bpftrace able to load programs here; skipped, saying why, where it cannot.</summary>
public sealed class BpftraceFactAttribute : FactAttribute
{
    public BpftraceFactAttribute()
    {
        if (Privileged.Reason is { } reason)
            Skip = reason;
        else if (!File.Exists("/usr/bin/bpftrace") && !File.Exists("/usr/sbin/bpftrace"))
            Skip = "bpftrace is not installed (scripts/deps.sh installs it)";
    }
}

/// <summary>
/// The observability tools on real zones from the busybox image, each on a daemon of its own over a
/// temporary pool: memory cap hits and OOM kills in zonememstat, a CPU cap in prstat -Z and kstat,
/// VFS reads in the right vfsstat row, and solstice trace -z counting one zone's opens only.
/// </summary>
[Collection("Zones")]
public sealed class ZoneObservabilityTests
{
    private static string Background(string command) => $"nohup sh -c '{command}' >/dev/null 2>&1 &";

    [PrivilegedFact]
    public void A_memory_hog_under_a_64_MB_cap_raises_NOVER_and_the_OOM_count()
    {
        using var d = new NodeDaemon();
        string zone = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-hog", ["max_physical_memory"] = 64 });
        var before = Row(d.Run("zonememstat", "-H", "-O", "-z", zone).Out);
        // tail keeps the whole of a newline-free stream: it grows until the kernel's OOM killer ends it.
        d.Zlogin(zone, "tail /dev/zero; true");
        Console.WriteLine(d.Run("zonememstat", "-a", "-O").Out);
        var after = Row(d.Run("zonememstat", "-H", "-O", "-z", zone).Out);
        Assert.Equal(zone, after[0]);
        Assert.Equal("64", after[2]);
        Assert.True(long.Parse(after[3], CultureInfo.InvariantCulture) > long.Parse(before[3], CultureInfo.InvariantCulture), $"NOVER did not rise: {string.Join(' ', after)}");
        Assert.True(long.Parse(after[6], CultureInfo.InvariantCulture) >= 1, $"no OOM kill counted: {string.Join(' ', after)}");
        // The same figures as SmartOS's memory_cap kstat.
        string kstat = d.Run("solstice", "kstat", $"memory_cap:::anon_alloc_fail").Out;
        Assert.Contains($":{zone[..30]}:anon_alloc_fail\t", kstat);
    }

    [PrivilegedFact]
    public void A_busy_loop_under_cpu_cap_10_shows_10_percent_of_a_CPU_and_rising_throttling()
    {
        using var d = new NodeDaemon();
        string zone = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-busy", ["max_physical_memory"] = 64, ["cpu_cap"] = 10 });
        d.Zlogin(zone, Background("while :; do :; done"));
        Thread.Sleep(1000);
        string first = d.Run("solstice", "kstat", "caps").Out;
        // The second report covers its 2 s interval.
        string prstat = d.Run("prstat", "-Z", "-n", "1,1000", "2", "2").Out;
        string second = d.Run("solstice", "kstat", "caps").Out;
        Console.WriteLine(prstat + first + second);
        string report = prstat[prstat.LastIndexOf("ZONEID", StringComparison.Ordinal)..];
        var row = report.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f.Length == 8 && f[7] == zone);
        double cpu = double.Parse(row[6].TrimEnd('%'), CultureInfo.InvariantCulture);
        // prstat's CPU is a share of the whole machine, as on SmartOS: 10% of one CPU is 10/ncpus here.
        double expected = 10.0 / Environment.ProcessorCount;
        Assert.InRange(cpu, expected * 0.6, expected * 1.4);
        Assert.True(Nwait(second, zone) > Nwait(first, zone), $"throttling did not rise:\n{first}\n{second}");
        Assert.Contains($"caps:", d.Run("solstice", "kstat", "caps:::value").Out);
    }

    [PrivilegedFact]
    public void File_reads_in_one_zone_show_in_its_vfsstat_row_only()
    {
        using var d = new NodeDaemon();
        string reader = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-reader", ["max_physical_memory"] = 64 });
        string idle = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-idle", ["max_physical_memory"] = 64 });
        d.Zlogin(reader, Background("dd if=/dev/zero of=/dev/null bs=64k"));
        Thread.Sleep(500);
        string vfsstat = d.Run("vfsstat", "-Z", "1", "2").Out;
        Console.WriteLine(vfsstat);
        string second = vfsstat[vfsstat.LastIndexOf("  r/s", StringComparison.Ordinal)..];
        double Kr(string uuid) => double.Parse(second.Split('\n').Single(l => l.EndsWith(")", StringComparison.Ordinal) && l.Contains($" {uuid[..8]} (", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
        Assert.True(Kr(reader) > 10_000, second);
        Assert.True(Kr(idle) < Kr(reader) / 100, second);
    }

    [BpftraceFact]
    public void Trace_restricted_to_a_zone_counts_its_openat_calls_and_nobody_elses()
    {
        using var d = new NodeDaemon();
        string a = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-trace-a", ["max_physical_memory"] = 64 });
        string b = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "obs-trace-b", ["max_physical_memory"] = 64 });
        foreach (string zone in new[] { a, b })
            d.Zlogin(zone, Background("while :; do cat /etc/hostname; sleep 0.1; done"));
        var result = d.Run("solstice", "trace", "-z", "obs-trace-a", "-e",
            "tracepoint:syscalls:sys_enter_openat { @opens[zonename] = count(); } interval:s:3 { exit(); }");
        Console.WriteLine(result.Out + result.Error);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"@opens\[obs-trace-a\]: [1-9]", result.Out);
        Assert.DoesNotContain("obs-trace-b", result.Out);
        Assert.DoesNotContain("global", result.Out);
        Assert.DoesNotContain("@__", result.Out);
    }

    [PrivilegedFact]
    public void Trace_refuses_kprobes_this_kernel_lacks_with_exit_2()
    {
        if (File.Exists("/sys/kernel/tracing/kprobe_events"))
            return; // a kernel with kprobes: nothing to refuse
        using var d = new NodeDaemon();
        var result = d.Run("solstice", "trace", "-e", "kprobe:vfs_read { @ = count(); }");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("solstice trace: this kernel has no kprobes (CONFIG_KPROBES is off); use tracepoints (bpftrace -l 'tracepoint:*' lists them)\n", result.Error);
    }

    private static string[] Row(string output) => output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static long Nwait(string kstat, string zone)
    {
        // caps:<id>:cpucaps_zone_<id>:nwait, one kstat per capped zone (other daemons' zones too): ours is the one whose zonename matches.
        var lines = kstat.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Where(f => f.Length == 2).ToList();
        string? name = lines.Where(f => f[0].EndsWith(":zonename", StringComparison.Ordinal) && f[1] == zone).Select(f => f[0][..^"zonename".Length]).FirstOrDefault();
        var nwait = lines.FirstOrDefault(f => name is not null && f[0] == name + "nwait");
        return nwait is null ? throw new InvalidOperationException($"no nwait for {zone}: {kstat}") : long.Parse(nwait[1], CultureInfo.InvariantCulture);
    }
}
