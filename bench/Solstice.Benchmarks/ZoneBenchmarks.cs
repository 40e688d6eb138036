using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Linux;
using Solstice.TestKit;
using Solstice.Core.Protocol;

namespace Solstice.Benchmarks;

/// <summary>
/// The zone hot paths against a real solsticed: create-to-running and delete, compared in the
/// same run with raw `runc run -d` / `runc delete -f` of the same image root; `vmadm list` with
/// 1000 VMs; CLI start; and density (200 running busybox zones, the daemon's RSS).
/// </summary>
public static class ZoneBenchmarks
{
    public static void Run(int iterations, int density)
    {
        using var loop = new LoopPool("16G");
        var image = BusyboxImage.Install(loop.Pool);
        using var daemon = new DaemonProcess(loop);
        string cli = Path.Combine(Repo.Root, "artifacts", "bin", "vmadm");
        bool aot = File.Exists(cli);
        var results = new List<Samples>();

        var create = new Samples("vmadm create -> running (client call)");
        var delete = new Samples("vmadm delete of a running zone (client call)");
        for (int i = 0; i < iterations; i++)
        {
            string? uuid = null;
            create.Time(() => uuid = Create(daemon, $"bench-{i}", autoboot: true));
            delete.Time(() => NodeClient.CallOnce(NodeOps.VmDelete, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
        }
        results.Add(create);
        results.Add(delete);

        if (aot)
        {
            var createCli = new Samples("vmadm create -> running (AOT CLI process)");
            var deleteCli = new Samples("vmadm delete (AOT CLI process)");
            for (int i = 0; i < iterations; i++)
            {
                string payload = $$"""{"brand":"joyent","alias":"cli-{{i}}","image_uuid":"{{BusyboxImage.Uuid}}","max_physical_memory":64}""";
                string output = "";
                createCli.Time(() => output = RunCli(cli, daemon.Socket, payload, "create"));
                string uuid = output.Trim().Split(' ')[^1];
                deleteCli.Time(() => RunCli(cli, daemon.Socket, null, "delete", uuid));
            }
            results.Add(createCli);
            results.Add(deleteCli);
        }

        var (runcRun, runcDelete) = RawRunc(loop, image, iterations);
        results.Add(runcRun);
        results.Add(runcDelete);

        for (int i = 0; i < 1000; i++)
            Create(daemon, $"list-{i}", autoboot: false);
        var list = new Samples("vmadm list, 1000 VMs (client call)");
        for (int i = 0; i < 20; i++)
            list.Time(() => NodeClient.CallOnce(NodeOps.VmList, new JsonObject(), daemon.Socket));
        results.Add(list);
        if (aot)
        {
            var listCli = new Samples("vmadm list, 1000 VMs (AOT CLI process)");
            for (int i = 0; i < 20; i++)
                listCli.Time(() => RunCli(cli, daemon.Socket, null, "list"));
            results.Add(listCli);
            var start = new Samples("vmadm CLI start (`vmadm help`, AOT)");
            for (int i = 0; i < 50; i++)
                start.Time(() => RunCli(cli, daemon.Socket, null, "help"));
            results.Add(start);
        }

        long rssBefore = daemon.RssKiB();
        long memBefore = MemAvailableKiB();
        var densityTimer = Stopwatch.StartNew();
        int started = 0;
        var each = new List<double>();
        for (int i = 0; i < density; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Create(daemon, $"dense-{i}", autoboot: true);
            each.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            started++;
        }
        densityTimer.Stop();
        var running = NodeClient.CallOnce(NodeOps.VmList, new JsonObject { ["filters"] = new JsonArray("state=running"), ["noHeader"] = true, ["columns"] = new JsonArray("uuid") }, daemon.Socket);
        int runningCount = running!["text"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        foreach (var result in results)
            Console.WriteLine(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create p50 / raw runc run p50: {create.Percentile(50) / runcRun.Percentile(50):F2}x (target <= 2x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"density: {runningCount} zones running after creating {started} in {densityTimer.Elapsed.TotalSeconds:F1} s; " +
            $"daemon RSS {rssBefore / 1024.0:F1} MiB -> {daemon.RssKiB() / 1024.0:F1} MiB; host MemAvailable dropped {(memBefore - MemAvailableKiB()) / 1024.0:F0} MiB " +
            $"({(memBefore - MemAvailableKiB()) / 1024.0 / Math.Max(1, runningCount):F1} MiB per zone); daemon holds {daemon.DescriptorCount()} descriptors"));
        if (each.Count > 0)
        {
            static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s[s.Count / 2]; }
            int k = Math.Min(10, each.Count);
            double firstTen = Median(each.Take(k)), lastTen = Median(each.Skip(each.Count - k));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"density create: zone 1 {each[0]:F1} ms, zone {each.Count} {each[^1]:F1} ms; median of the first {k} {firstTen:F1} ms, of the last {k} {lastTen:F1} ms: {lastTen / firstTen:F2}x (target <= 2x)"));
            foreach (int at in new[] { 100, 200, 250, 300, 400, 500, 1000, 2000 }.Where(n => n <= each.Count))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median create around zone {at}: {Median(each.Skip(Math.Max(0, at - k)).Take(k)):F1} ms"));
        }
    }

    /// <summary>A busybox zone of 64 MiB; its uuid.</summary>
    internal static string Create(DaemonProcess daemon, string alias, bool autoboot)
    {
        var payload = new JsonObject
        {
            ["brand"] = "joyent",
            ["alias"] = alias,
            ["image_uuid"] = BusyboxImage.Uuid,
            ["max_physical_memory"] = 64,
            ["autoboot"] = autoboot,
        };
        var vm = NodeClient.CallOnce(NodeOps.VmCreate, new JsonObject { ["payload"] = payload }, daemon.Socket);
        return vm!["uuid"]!.GetValue<string>();
    }

    private static string RunCli(string cli, string socket, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(cli) { RedirectStandardInput = stdin is not null, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["SOLSTICE_SOCKET"] = socket;
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return error.Result;
    }

    /// <summary>runc run -d and runc delete -f of a clone of the same image, with runc's default spec.</summary>
    private static (Samples Run, Samples Delete) RawRunc(LoopPool loop, Storage.DatasetName image, int iterations)
    {
        var run = new Samples("raw `runc run -d` (same image root)");
        var delete = new Samples("raw `runc delete -f`");
        string root = Path.Combine(loop.Directory, "raw-runc");
        Directory.CreateDirectory(root);
        for (int i = 0; i < iterations; i++)
        {
            var clone = loop.Pool.Root.Child($"raw-{i}");
            loop.Pool.Clone(image, clone);
            string bundle = Path.Combine(root, $"b{i}");
            Directory.CreateDirectory(bundle);
            ProcessCommandRunner.Instance.Run(["runc", "spec", "--bundle", bundle]);
            var config = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
            config["root"]!["path"] = Path.Combine(loop.Pool.PathOf(clone), "root");
            config["root"]!["readonly"] = false;
            config["process"]!["terminal"] = false;
            config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1000 & wait; done");
            config["linux"]!["cgroupsPath"] = $"/solstice-bench/raw-{i}";
            File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
            string id = $"solstice-bench-raw-{i}";
            run.Time(() => ProcessCommandRunner.Instance.RunLogged(["runc", "--root", Path.Combine(root, "state"), "run", "-d", "--bundle", bundle, id], Path.Combine(bundle, "log")));
            delete.Time(() => ProcessCommandRunner.Instance.Run(["runc", "--root", Path.Combine(root, "state"), "delete", "-f", id]));
        }
        foreach (string controller in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            string parent = Path.Combine(controller, "solstice-bench");
            if (Directory.Exists(parent))
                try { Directory.Delete(parent); } catch (IOException) { }
        }
        return (run, delete);
    }

    private static long MemAvailableKiB()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
