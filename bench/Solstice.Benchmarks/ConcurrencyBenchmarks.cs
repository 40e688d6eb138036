using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.TestKit;
using Solstice.Core.Protocol;

namespace Solstice.Benchmarks;

/// <summary>
/// The daemon under concurrent clients (`bench/run.sh concurrency [rounds] [clients]`): each
/// client runs rounds of create (autoboot) → list → get → stop → get → start → list → delete on
/// a zone of its own, first with one client, then with clients at once (default 20). Prints
/// p50/p99 per operation for both, so list and get can be compared with the lifecycle work
/// around them, and create under load with create alone.
/// </summary>
public static class ConcurrencyBenchmarks
{
    private static readonly string[] s_ops = ["create", "list", "get", "stop", "start", "delete"];

    public static void Run(int rounds, int clients)
    {
        using var loop = new LoopPool("16G");
        BusyboxImage.Install(loop.Pool);
        using var daemon = new DaemonProcess(loop);
        // 200 VMs that stay (stopped), so list and get are not of a near-empty node.
        for (int i = 0; i < 200; i++)
            ZoneBenchmarks.Create(daemon, $"idle-{i}", autoboot: false);
        // Warm the daemon (JIT for a non-AOT build, first-use paths).
        Round(daemon, "warm", NewSamples());

        var alone = Measure(daemon, 1, rounds * 2);
        var loaded = Measure(daemon, clients, rounds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concurrency: {rounds * 2} rounds with 1 client, {rounds} rounds each with {clients} clients, 200 idle VMs besides"));
        foreach (string op in s_ops)
        {
            Console.WriteLine(alone[op]);
            Console.WriteLine(loaded[op]);
        }
        double ratio = loaded["create"].Percentile(50) / alone["create"].Percentile(50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create p50 under load / alone: {ratio:F2}x (target <= 3x); list p99 {loaded["list"].Percentile(99):F1} ms, get p99 {loaded["get"].Percentile(99):F1} ms (target <= 50 ms)"));
    }

    private static Dictionary<string, Samples> NewSamples(string? suffix = null) =>
        s_ops.ToDictionary(op => op, op => new Samples(suffix is null ? op : $"{op}, {suffix}"));

    private static Dictionary<string, Samples> Measure(DaemonProcess daemon, int clients, int rounds)
    {
        var perClient = Enumerable.Range(0, clients).Select(_ => NewSamples()).ToList();
        var threads = Enumerable.Range(0, clients).Select(c => new Thread(() =>
        {
            for (int r = 0; r < rounds; r++)
                Round(daemon, $"c{c}-{r}", perClient[c]);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var merged = NewSamples(clients == 1 ? "1 client" : $"{clients} clients");
        foreach (var samples in perClient)
        {
            foreach (string op in s_ops)
                merged[op].Add(samples[op]);
        }
        return merged;
    }

    private static void Round(DaemonProcess daemon, string alias, Dictionary<string, Samples> samples)
    {
        string uuid = "";
        samples["create"].Time(() => uuid = ZoneBenchmarks.Create(daemon, alias, autoboot: true));
        samples["list"].Time(() => NodeClient.CallOnce(NodeOps.VmList, new JsonObject(), daemon.Socket));
        samples["get"].Time(() => NodeClient.CallOnce(NodeOps.VmGet, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
        samples["stop"].Time(() => NodeClient.CallOnce(NodeOps.VmStop, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
        samples["get"].Time(() => NodeClient.CallOnce(NodeOps.VmGet, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
        samples["start"].Time(() => NodeClient.CallOnce(NodeOps.VmStart, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
        samples["list"].Time(() => NodeClient.CallOnce(NodeOps.VmList, new JsonObject(), daemon.Socket));
        samples["delete"].Time(() => NodeClient.CallOnce(NodeOps.VmDelete, new JsonObject { ["uuid"] = uuid }, daemon.Socket));
    }
}
