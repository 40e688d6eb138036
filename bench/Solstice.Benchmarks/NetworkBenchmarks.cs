using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.Linux.Netlink;
using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>
/// Zone networking on the real kernel, inside a private node namespace (no host links or tables are
/// touched): namespace create, nic add (with a per-command breakdown), destroy; zone-to-zone TCP
/// throughput across the bridge and anti-spoofing table versus a raw veth pair; and the per-zone
/// firewall: compile and load 1000 rules over 100 VMs.
/// </summary>
public static class NetworkBenchmarks
{
    public static void Run(int iterations)
    {
        var timing = new TimingRunner();
        using var node = new PrivateNodeNetwork([new NicTag("sstbench", NicTagKind.Local)], timing, "solstice-netbench");
        var net = node.Network;
        Console.WriteLine($"vlan mode: {net.VlanMode}");
        var create = new Samples("zone netns create (unshare + bind mount, lo up)");
        var add = new Samples("nic add (veth, bridge port, addrs, antispoof)");
        var destroy = new Samples("zone netns destroy (umount + unlink)");
        var zones = new List<string>();
        for (int i = 0; i < iterations; i++)
        {
            string uuid = Uuid(i);
            string path = "";
            create.Time(() => path = net.CreateNamespace(uuid));
            timing.Reset();
            add.Time(() => net.AddNic(uuid, path, Nic(i), 0));
            if (i == iterations - 1)
                timing.Print("  last nic add, spawned commands (rtnetlink and libnftables run in-process)");
            zones.Add(uuid);
        }
        Console.WriteLine(create);
        Console.WriteLine(add);
        Throughput(net, rounds: 20);
        foreach (string uuid in zones)
            destroy.Time(() => net.DestroyNamespace(uuid));
        Console.WriteLine(destroy);
        Firewall(net);
    }

    /// <summary>
    /// Only the zone-to-zone TCP comparison (bench/run.sh tcp [rounds] [busy]). With busyReceiverCpu,
    /// a SCHED_IDLE spinner keeps the receiving CPU from going idle for the whole comparison: a
    /// diagnostic of how much the steady-state figures owe to that vCPU's halt and wake-up
    /// (docs/benchmarks.md), not a way to run the comparison.
    /// </summary>
    public static void RunTcp(int rounds, bool busyReceiverCpu)
    {
        using var node = new PrivateNodeNetwork([new NicTag("sstbench", NicTagKind.Local)], prefix: "solstice-netbench");
        using var spinner = busyReceiverCpu ? IdleSpinner.Start(Environment.ProcessorCount - 1) : null;
        Throughput(node.Network, rounds);
    }

    /// <summary>A busy loop at SCHED_IDLE priority pinned to one CPU: any runnable task preempts it, but the CPU never halts.</summary>
    private sealed class IdleSpinner : IDisposable
    {
        private readonly Process _process;

        private IdleSpinner(Process process) => _process = process;

        public static IdleSpinner Start(int cpu)
        {
            Console.WriteLine($"receiving CPU {cpu} kept busy by a SCHED_IDLE spinner (diagnostic run)");
            return new IdleSpinner(Process.Start(new ProcessStartInfo("taskset",
                ["-c", cpu.ToString(CultureInfo.InvariantCulture), "chrt", "--idle", "0", "sh", "-c", "while :; do :; done"]) { UseShellExecute = false })!);
        }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    /// <summary>
    /// Zone to zone over the bridge (with and without the anti-spoofing table) against a raw veth pair
    /// between two namespaces, with the kernel's default limits and with the BIG TCP limits zone nics
    /// on local tags get, plus the raw pair a second time as an A/A control of the method. Throughput
    /// on this shared 2-core VM drifts by ±20% from one half second to the next, so each round runs
    /// every path once, in a random order, and ratios are taken within rounds. Three measures: one
    /// stream in iperf3 runs of 2 s (steady state), four streams left to the scheduler (what the path
    /// carries for more than one flow), and 256 MiB sent on a fresh connection (TcpSlices), which is
    /// mostly TCP's start-up phase (docs/benchmarks.md). A single stream's sender is pinned to the
    /// first CPU and its receiver to the last on every path.
    /// </summary>
    private static void Throughput(ZoneNetwork net, int rounds)
    {
        Console.WriteLine($"cpuidle: {CpuIdle()} (one-stream figures depend on it: docs/benchmarks.md)");
        string a = net.CreateNamespace(Uuid(9001)), b = net.CreateNamespace(Uuid(9002));
        string x = net.CreateNamespace(Uuid(9003)), y = net.CreateNamespace(Uuid(9004));
        try
        {
            net.AddNic(Uuid(9001), a, new NicSpec { Mac = "02:00:00:00:90:01", NicTag = "sstbench", Ips = [IpCidr.Parse("10.99.1.1/24")] }, 0);
            net.AddNic(Uuid(9002), b, new NicSpec { Mac = "02:00:00:00:90:02", NicTag = "sstbench", Ips = [IpCidr.Parse("10.99.1.2/24")] }, 0);
            RawPair(x, y, "v0", "v1", "10.99.2", gsoSize: null);
            RawPair(x, y, "w0", "w1", "10.99.3", gsoSize: NicAttachment.LocalTagGsoSize);
            Func<Func<double>, double> withoutAntiSpoof = measure =>
            {
                net.RemoveAntiSpoof();
                try
                {
                    return measure();
                }
                finally
                {
                    net.ApplyAntiSpoof();
                }
            };
            var paths = new TcpPath[]
            {
                new("raw", "raw veth pair", x, y, "10.99.2.2"),
                new("control", "raw veth pair again (A/A control)", x, y, "10.99.2.2"),
                new("rawBig", "raw veth pair, BIG TCP limits", x, y, "10.99.3.2"),
                new("zone", "zone -> zone (bridge + antispoof)", a, b, "10.99.1.2"),
                new("bare", "zone -> zone, no antispoof table", a, b, "10.99.1.2") { Around = withoutAntiSpoof },
            };
            Compare($"TCP, iperf3 runs of 2 s (first 0.5 s omitted), {rounds} rounds:", paths, rounds, p => Tcp(p.From, p.To, p.Address, streams: 1));
            Compare($"TCP, 4 streams (iperf3 -P 4, not pinned), runs of 2 s, {rounds} rounds:", paths, rounds, p => Tcp(p.From, p.To, p.Address, streams: 4));
            Compare($"TCP, 256 MiB on a fresh connection (128 KiB writes), {3 * rounds} rounds:", paths, 3 * rounds, p => Slice(p.From, p.To, p.Address));
        }
        finally
        {
            foreach (int i in new[] { 9001, 9002, 9003, 9004 })
                net.DestroyNamespace(Uuid(i));
        }
    }

    /// <summary>The cpuidle driver, and for haltpoll how long an idle vCPU polls before it halts.</summary>
    private static string CpuIdle()
    {
        static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        string driver = Read("/sys/devices/system/cpu/cpuidle/current_driver") ?? "unknown";
        string? poll = driver == "haltpoll" ? Read("/sys/module/haltpoll/parameters/guest_halt_poll_ns") : null;
        return poll is null ? driver : $"{driver}, guest_halt_poll_ns {poll}";
    }

    private sealed record TcpPath(string Key, string Title, string From, string To, string Address)
    {
        /// <summary>Runs the measurement (set-up and restore around it are not timed).</summary>
        public Func<Func<double>, double> Around { get; init; } = measure => measure();
    }

    private static void Compare(string title, TcpPath[] paths, int rounds, Func<TcpPath, double> measure)
    {
        var results = paths.ToDictionary(p => p.Key, _ => new List<double>());
        var order = new Random(7);
        for (int i = 0; i < rounds; i++)
        {
            foreach (var path in paths.OrderBy(_ => order.Next()))
                results[path.Key].Add(path.Around(() => measure(path)));
        }
        Console.WriteLine(title);
        foreach (var path in paths)
            Console.WriteLine(Gbits("  " + path.Title, results[path.Key]));
        Console.WriteLine(Ratio("  zone / raw veth pair", results["zone"], results["raw"]));
        Console.WriteLine(Ratio("  control: raw pair / raw pair", results["control"], results["raw"]));
        Console.WriteLine(Ratio("  zone / raw veth pair with BIG TCP", results["zone"], results["rawBig"]));
        Console.WriteLine(Ratio("  zone without antispoof / raw", results["bare"], results["raw"]));
        Console.WriteLine(Ratio("  zone / zone without antispoof", results["zone"], results["bare"]));
    }

    private static double Slice(string from, string to, string address)
    {
        using var connection = new TcpSlices(from, to, IPAddress.Parse(address), clientCpu: 0, serverCpu: Environment.ProcessorCount - 1);
        return connection.Transfer(256L << 20);
    }

    private static void RawPair(string x, string y, string left, string right, string subnet, int? gsoSize)
    {
        using (var link = RouteNetlink.Open(x))
        {
            link.AddVeth(left, 1500, right, System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-00-00-99-" + (gsoSize is null ? "01" : "02")), y, gsoSize);
            link.Commit();
        }
        Up(x, left, subnet + ".1");
        Up(y, right, subnet + ".2");
    }

    private static void Up(string netns, string name, string address)
    {
        using var link = RouteNetlink.Open(netns);
        int index = link.FindLink(name)!.Index;
        link.SetLink(name, up: true);
        link.AddAddress(index, IPAddress.Parse(address), 24);
        link.Commit();
    }

    private static string Gbits(string what, List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{what,-44} median {Median(samples),6:F2} Gbit/s  (quartiles {sorted[sorted.Count / 4]:F2}–{sorted[3 * sorted.Count / 4]:F2})");
    }

    /// <summary>
    /// The median and quartiles of the per-round ratios, and a bootstrap 95% interval of that median
    /// (rounds resampled with replacement, fixed seed so a run's output is reproducible from its data).
    /// </summary>
    private static string Ratio(string what, List<double> path, List<double> reference)
    {
        var ratios = path.Zip(reference, (p, r) => p / r).ToList();
        var sorted = ratios.Order().ToList();
        var random = new Random(5);
        var medians = Enumerable.Range(0, 2000)
            .Select(_ => Median(Enumerable.Range(0, ratios.Count).Select(_ => ratios[random.Next(ratios.Count)]).ToList()))
            .Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{what,-44} {Median(sorted):F3}x  (quartiles {sorted[sorted.Count / 4]:F2}–{sorted[3 * sorted.Count / 4]:F2}, 95% interval of the median {medians[50]:F3}–{medians[1949]:F3}, {ratios.Count} rounds)");
    }

    private static double Median(List<double> samples) => samples.Order().ElementAt(samples.Count / 2);

    /// <summary>
    /// Gbit/s of a 2 s iperf3 transfer (the first 0.5 s omitted). One stream runs with client and
    /// server pinned to different CPUs; several streams are left to the scheduler to spread over the
    /// CPUs (on this VM they still leave about a third of CPU time idle: docs/benchmarks.md).
    /// </summary>
    private static double Tcp(string from, string to, string address, int streams)
    {
        string[] clientCpu = streams == 1 ? ["taskset", "-c", "0"] : [];
        string[] serverCpu = streams == 1 ? ["taskset", "-c", (Environment.ProcessorCount - 1).ToString(CultureInfo.InvariantCulture)] : [];
        using var server = Process.Start(new ProcessStartInfo("nsenter", ["--net=" + to, .. serverCpu, "iperf3", "-s", "-1"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        Thread.Sleep(150);
        var r = ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + from, .. clientCpu, "iperf3", "-c", address, "-t", "2", "-O", "0.5", "-P", streams.ToString(CultureInfo.InvariantCulture), "-J"]);
        server.WaitForExit(5000);
        return (JsonNode.Parse(r.StandardOutput)?["end"]?["sum_received"]?["bits_per_second"]?.GetValue<double>() ?? 0) / 1e9;
    }

    private static void Firewall(ZoneNetwork net)
    {
        const int vmCount = 100, ruleCount = 1000;
        var vms = new List<FirewallVm>();
        var paths = new Dictionary<string, string>();
        for (int i = 0; i < vmCount; i++)
        {
            string uuid = Uuid(5000 + i);
            vms.Add(new FirewallVm(uuid, "00000000-0000-0000-0000-000000000000",
                new Dictionary<string, string> { ["role"] = $"r{i % 10}" }, [$"10.50.{i / 250}.{(i % 250) + 1}"], true));
            paths[uuid] = net.CreateNamespace(uuid);
        }
        var rules = new List<FirewallRule>();
        for (int i = 0; i < ruleCount; i++)
        {
            string text = (i % 3) switch
            {
                0 => $"FROM any TO vm {vms[i % vmCount].Uuid} ALLOW tcp PORT {1000 + i}",
                1 => $"FROM tag role = r{i % 10} TO tag role = r{(i + 1) % 10} ALLOW udp PORT {2000 + i}",
                _ => $"FROM subnet 10.{i % 250}.0.0/16 TO vm {vms[(i * 7) % vmCount].Uuid} BLOCK tcp PORT {3000 + i} PRIORITY {i % 50}",
            };
            rules.Add(FirewallRule.FromPayload(new JsonObject
            {
                ["rule"] = text,
                ["enabled"] = true,
                ["global"] = true,
                ["uuid"] = $"99999999-0000-4000-8000-{i:D12}",
                ["version"] = "1700000000000.000001",
            }));
        }
        var compile = new Samples("compile 1000 rules for 100 VMs (per-zone)");
        var policy = new FirewallPolicy(rules, vms);
        for (int i = 0; i < 5; i++)
            compile.Time(() => { foreach (var vm in vms) NftRenderer.Render(NftFirewallCompiler.CompileZone(policy, vm.Uuid)!); });
        Console.WriteLine(compile);
        var applier = new NetnsFirewallApplier(LibNftablesLoader.Instance, new FixedRuleStore(rules), new FixedVmInventory(vms), u => paths.GetValueOrDefault(u));
        var apply = new Samples("compile + load 1000 rules into 100 zone netns");
        for (int i = 0; i < 5; i++)
            apply.Time(() => applier.Apply([]));
        Console.WriteLine(apply);
        var serial = new NetnsFirewallApplier(new LibNftablesLoader(threads: 1), new FixedRuleStore(rules), new FixedVmInventory(vms), u => paths.GetValueOrDefault(u));
        var applySerial = new Samples("  the same on one loading thread");
        for (int i = 0; i < 3; i++)
            applySerial.Time(() => serial.Apply([]));
        Console.WriteLine(applySerial);
        var one = new Samples("compile + load one VM's firewall");
        for (int i = 0; i < 20; i++)
            one.Time(() => applier.Apply([vms[i].Uuid]));
        Console.WriteLine(one);
        foreach (var vm in vms)
            net.DestroyNamespace(vm.Uuid);
    }

    private static NicSpec Nic(int i) => new()
    {
        Mac = $"02:00:00:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}",
        NicTag = "sstbench",
        Ips = [IpCidr.Parse($"10.98.{i / 250}.{(i % 250) + 1}/16")],
        Primary = true,
        Gateways = [System.Net.IPAddress.Parse("10.98.255.254")],
    };

    private static string Uuid(int i) => $"bbbbbbbb-0000-4000-8000-{i:D12}";

    private sealed class TimingRunner : ICommandRunner
    {
        private readonly List<(string, double)> _last = [];

        public void Reset() => _last.Clear();

        public void Print(string title)
        {
            Console.WriteLine(title);
            foreach (var (cmd, ms) in _last)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {cmd,-40} {ms,8:F2} ms"));
        }

        public CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null)
        {
            long start = Stopwatch.GetTimestamp();
            var r = ProcessCommandRunner.Instance.Run(argv, standardInput);
            _last.Add((string.Join(' ', argv.Where(a => !a.StartsWith("--net=", StringComparison.Ordinal)).Take(4)), Stopwatch.GetElapsedTime(start).TotalMilliseconds));
            return r;
        }

        public CommandResult RunToStream(IReadOnlyList<string> argv, Stream output) => throw new NotSupportedException();

        public CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input) => throw new NotSupportedException();

        public CommandResult RunLogged(IReadOnlyList<string> argv, string logPath) => throw new NotSupportedException();
    }
}
