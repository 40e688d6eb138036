using System.Diagnostics;
using System.Globalization;

namespace Solstice.Benchmarks;

/// <summary>
/// The observability tools at density (`bench/run.sh observe [runs] [zones]`): that many real v1 or
/// v2 cgroups under solstice/, each holding one sleeping process as a zone's cgroup would, then
/// zonememstat and prstat -Z 1 1 (the AOT binary, targets ≤ 100 ms at 200 zones), and the start of
/// `solstice trace` against plain bpftrace on the same one-probe program (target ≤ 300 ms more),
/// interleaved run by run. The cgroups and processes are removed afterwards.
/// </summary>
public static class ObserveBenchmarks
{
    private static readonly string[] s_controllers = ["memory", "cpu", "cpuacct", "blkio", "pids"];

    public static void Run(int runs, int zones)
    {
        string bin = Path.Combine(Repo.Root, "artifacts", "bin");
        if (!File.Exists(Path.Combine(bin, "zonememstat")))
        {
            Console.Error.WriteLine("observe needs artifacts/bin (scripts/build.sh)");
            return;
        }
        bool v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        string prefix = $"bec{Environment.ProcessId % 100000:D5}";
        var uuids = Enumerable.Range(0, zones).Select(i => $"{prefix}-0000-4000-8000-{i:D12}").ToList();
        var sleepers = new List<Process>();
        try
        {
            foreach (string uuid in uuids)
            {
                var dirs = v2 ? [Path.Combine("/sys/fs/cgroup/solstice", uuid)] : s_controllers.Select(c => Path.Combine("/sys/fs/cgroup", c, "solstice", uuid)).ToList();
                foreach (string dir in dirs)
                    Directory.CreateDirectory(dir);
                string join = string.Join("; ", dirs.Select(d => $"echo $$ > {d}/cgroup.procs"));
                sleepers.Add(Process.Start("sh", ["-c", $"{join}; exec sleep 3600"]));
            }
            Thread.Sleep(500);
            Console.WriteLine($"{zones} zone cgroups ({(v2 ? "v2" : "v1")}), one process each");
            // The machine's state in the same run: a process that does nothing.
            Compare(runs, "/bin/true (spawn baseline)", ["/bin/true"], null);
            Compare(runs, "zonememstat", [Path.Combine(bin, "zonememstat")], null);
            Compare(runs, "prstat -Z 1 1", [Path.Combine(bin, "prstat"), "-Z", "1", "1"], null);
            if (File.Exists("/usr/bin/bpftrace"))
            {
                string program = "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); } interval:ms:1 { exit(); }";
                Compare(Math.Min(runs, 20), "solstice trace, no zonename", [Path.Combine(bin, "solstice"), "trace", "-e", program],
                    ["/usr/bin/bpftrace", "-e", program]);
                // -z one zone with zonename: every zone task's thread id, one name.
                string zoned = "tracepoint:raw_syscalls:sys_enter { @[zonename] = count(); } interval:ms:1 { exit(); }";
                Compare(Math.Min(runs, 20), "solstice trace -z <one of N> with zonename", [Path.Combine(bin, "solstice"), "trace", "-z", uuids[0], "-e", zoned],
                    ["/usr/bin/bpftrace", "-e", program]);
                Compare(Math.Min(runs, 10), "solstice trace with zonename, all N zones", [Path.Combine(bin, "solstice"), "trace", "-e", zoned],
                    ["/usr/bin/bpftrace", "-e", program]);
            }
        }
        finally
        {
            foreach (var p in sleepers)
            {
                try { p.Kill(); p.WaitForExit(); } catch (InvalidOperationException) { }
                p.Dispose();
            }
            foreach (string uuid in uuids)
                foreach (string dir in v2 ? [Path.Combine("/sys/fs/cgroup/solstice", uuid)] : s_controllers.Select(c => Path.Combine("/sys/fs/cgroup", c, "solstice", uuid)))
                    try { Directory.Delete(dir); } catch (IOException) { }
        }
    }

    private static void Compare(int runs, string name, string[] ours, string[]? reference)
    {
        var a = new Samples(name);
        var b = reference is null ? null : new Samples(string.Join(' ', reference[..1]) + " (plain)");
        for (int i = 0; i < 2; i++)
            Spawn(ours);
        for (int i = 0; i < runs; i++)
        {
            a.Time(() => Spawn(ours));
            if (b is not null)
                b.Time(() => Spawn(reference!));
        }
        Console.WriteLine(a);
        if (b is not null)
        {
            Console.WriteLine(b);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  solstice trace adds p50 {a.Percentile(50) - b.Percentile(50):F1} ms (target <= 300 ms)"));
        }
        else
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p50 {a.Percentile(50):F1} ms (target <= 100 ms)"));
    }

    private static void Spawn(string[] argv)
    {
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in argv[1..])
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = error.Result;
    }
}
