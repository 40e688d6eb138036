using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.Network.Links;
using Solstice.TestKit;
using Xunit.Abstractions;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// The fault-injection harness (issue #12 §4, docs/zones.md "Crash consistency"): a daemon on a
/// temporary pool runs create, update, stop, start and delete at random, and is killed at a
/// random point, either at a named crash point (SOLSTICE_CRASH_AT, the daemon _exits there) or by
/// SIGKILL after a random delay. After every restart nothing may be lost or leaked.
/// SOLSTICE_FAULT_POINTS sets the number of kills (default 200), SOLSTICE_FAULT_SEED replays a run.
/// </summary>
[Collection("Zones")]
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private const int MaxVms = 3;

    [PrivilegedFact]
    public void Kills_at_random_points_converge_with_nothing_lost_or_leaked()
    {
        int points = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FAULT_POINTS"), out int p) ? p : 200;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FAULT_SEED"), out int s) ? s : Random.Shared.Next();
        output.WriteLine($"fault injection: {points} kill points, seed {seed} (replay with SOLSTICE_FAULT_SEED={seed})");
        Console.Error.WriteLine($"fault injection: {points} kill points, seed {seed}");
        var harness = new Harness(seed);
        var clock = Stopwatch.StartNew();
        try
        {
            harness.Run(points);
        }
        finally
        {
            output.WriteLine(harness.Summary(clock.Elapsed));
            Console.Error.WriteLine(harness.Summary(clock.Elapsed));
            harness.Dispose();
        }
    }

    private sealed class Harness(int seed) : IDisposable
    {
        private readonly Random _random = new(seed);
        private readonly NodeDaemon _d = new("3G", preferAot: true);
        private readonly string _tag = "c" + Guid.NewGuid().ToString("N")[..6];
        private readonly HashSet<string> _ever = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ops = new(StringComparer.Ordinal);
        private readonly Stopwatch _starting = new(), _checking = new(), _working = new();
        private int _crashPoints, _delayKills, _recoveryKills, _unexercised, _vmIndex;

        public void Run(int points)
        {
            Assert.Equal(0, _d.Run("nictagadm", "add", "-l", _tag).ExitCode);
            for (int point = 0; point < points; point++)
            {
                bool recovery = point > 0 && _random.Next(10) == 0;
                bool named = !recovery && _random.Next(4) != 0;
                // Crash points count from the end of recovery, except "recover" ones.
                if (recovery)
                    _d.Environment["SOLSTICE_CRASH_AT"] = $"recover:{_random.Next(1, 4)}";
                else if (named)
                    _d.Environment["SOLSTICE_CRASH_AT"] = $"*:{_random.Next(1, 14)}";
                _d.Kill();
                _starting.Start();
                if (recovery)
                {
                    try
                    {
                        _d.Start();
                    }
                    catch (InvalidOperationException)
                    {
                        _recoveryKills++;
                        _d.Environment.Clear();
                        _d.Start();
                    }
                }
                else
                {
                    _d.Start();
                }
                _starting.Stop();
                _d.Environment.Clear();
                _checking.Start();
                Check($"after kill point {point}");
                _checking.Stop();
                if (recovery)
                    continue;
                bool died = false;
                _working.Start();
                for (int op = 0; op < 8 && !died; op++)
                    died = Step(delayKill: !named && op == 0);
                _working.Stop();
                if (died && named)
                    _crashPoints++;
                else if (died)
                    _delayKills++;
                else
                    _unexercised++;
            }
            _d.Kill();
            _d.Start();
            Check("at the end");
        }

        /// <summary>One random verb; true when the daemon died under it.</summary>
        private bool Step(bool delayKill)
        {
            var vms = List();
            var stopped = vms.Where(v => v.Value == "stopped").Select(v => v.Key).ToList();
            var running = vms.Where(v => v.Value == "running").Select(v => v.Key).ToList();
            string[] args;
            string stdin = "";
            int choice = _random.Next(10);
            if (vms.Count < MaxVms && (choice < 3 || vms.Count == 0))
            {
                string uuid = Guid.NewGuid().ToString();
                _ever.Add(uuid);
                var payload = new JsonObject
                {
                    ["uuid"] = uuid, ["brand"] = "joyent", ["alias"] = $"crash{++_vmIndex}", ["max_physical_memory"] = 64,
                    ["image_uuid"] = BusyboxImage.Uuid, ["autoboot"] = _random.Next(4) != 0,
                };
                if (_random.Next(2) == 0)
                    payload["nics"] = new JsonArray(new JsonObject { ["nic_tag"] = _tag, ["ips"] = new JsonArray($"10.232.{_vmIndex % 250}.{1 + _random.Next(250)}/16"), ["primary"] = true });
                stdin = payload.ToJsonString();
                args = ["create"];
            }
            else if (choice < 5 && vms.Count > 0)
                args = ["update", Pick(vms.Keys.ToList()), $"max_lwps={1000 + _random.Next(1000)}", $"alias=u{_random.Next(1000)}"];
            else if (choice < 7 && running.Count > 0)
                args = ["stop", Pick(running), "-F"];
            else if (choice < 9 && stopped.Count > 0)
                args = ["start", Pick(stopped)];
            else if (vms.Count > 0)
                args = ["delete", Pick(vms.Keys.ToList())];
            else
                return false;
            _ops[args[0]] = _ops.GetValueOrDefault(args[0]) + 1;
            var call = Task.Run(() => _d.RunWithInput("vmadm", stdin, args));
            if (delayKill)
            {
                Thread.Sleep(_random.Next(0, 700));
                _d.Kill();
            }
            var result = Within(call, $"vmadm {string.Join(' ', args)}");
            if (result.Error.Contains(Cli.Node.NodeClient.ClosedMessage, StringComparison.Ordinal))
                Assert.True(_d.WaitForExit(TimeSpan.FromSeconds(30)), $"seed {seed}: solsticed closed the connection of vmadm {string.Join(' ', args)} without dying\n{Tail()}");
            if (!delayKill && DaemonAlive())
            {
                Assert.True(result.ExitCode == 0, $"seed {seed}: vmadm {string.Join(' ', args)} failed: {result.Error}\n{Tail()}");
                return false;
            }
            if (result.ExitCode != 0)
            {
                Assert.Equal(1, result.ExitCode);
                Assert.True(result.Error.Contains("solsticed exited before answering", StringComparison.Ordinal) || result.Error.Contains("cannot connect", StringComparison.Ordinal),
                    $"seed {seed}: vmadm {string.Join(' ', args)} under a dying daemon said: {result.Error}");
                Assert.DoesNotContain("   at ", result.Error);
            }
            return true;
        }

        /// <summary>Whether the daemon outlived the verb (a crash point may still be exiting it: give it a moment).</summary>
        private bool DaemonAlive()
        {
            for (int i = 0; i < 4; i++)
            {
                if (_d.HasExited)
                    return false;
                Thread.Sleep(5);
            }
            return true;
        }

        private string Pick(List<string> items) => items[_random.Next(items.Count)];

        /// <summary>
        /// A verb's outcome, or a failure that says where the daemon waits when it has not answered
        /// in <see cref="VerbLimit"/> (a hung daemon must fail the test with a diagnosis, not hang it).
        /// </summary>
        private CliOutcome Within(Task<CliOutcome> call, string what)
        {
            if (call.Wait(VerbLimit))
                return call.Result;
            Assert.Fail($"seed {seed}: {what} had no answer after {VerbLimit.TotalSeconds:F0} s\n{_d.WhereItWaits()}\n{Tail()}");
            return null!;
        }

        private static readonly TimeSpan VerbLimit = TimeSpan.FromSeconds(150);

        private CliOutcome Vmadm(params string[] args) => Within(Task.Run(() => _d.Run("vmadm", args)), $"vmadm {string.Join(' ', args)}");

        private Dictionary<string, string> List()
        {
            var list = Vmadm("list", "-H", "-o", "uuid,state");
            Assert.True(list.ExitCode == 0, list.Error);
            return list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        }

        /// <summary>Every VM settled and truthful; every object the node makes belongs to a VM in the state that needs it.</summary>
        private void Check(string when)
        {
            string at = $"seed {seed}, {when}";
            var lookup = Vmadm("lookup", "-j");
            Assert.True(lookup.ExitCode == 0, lookup.Error);
            var all = JsonNode.Parse(lookup.Out)!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => v["uuid"]!.GetValue<string>(), StringComparer.Ordinal);
            var vms = all.ToDictionary(v => v.Key, v => v.Value["state"]!.GetValue<string>(), StringComparer.Ordinal);
            var running = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (uuid, state) in vms)
            {
                Assert.True(state is "running" or "stopped", $"{at}: VM {uuid} is {state}\n{Tail()}");
                var vm = all[uuid];
                bool autoboot = vm["autoboot"]?.GetValue<bool>() ?? false;
                // Nothing here dies on its own: a VM runs exactly when its last verb (or create) asked it to.
                Assert.True(autoboot == (state == "running"), $"{at}: VM {uuid} is {state} with autoboot {autoboot}\n{Tail()}");
                if (state == "running")
                {
                    running.Add(uuid);
                    int pid = vm["pid"]!.GetValue<int>();
                    Assert.True(Directory.Exists($"/proc/{pid}"), $"{at}: VM {uuid} is running with pid {pid}, which is gone");
                    if (vm["max_lwps"] is { } lwps)
                        Assert.Equal(lwps.ToString(), Cgroup("pids", uuid, "pids.max"));
                }
                Assert.True(Directory.Exists(Path.Combine(_d.Pool.Pool.MountPoint, uuid, "root")), $"{at}: VM {uuid} lost its zone root");
            }
            string mount = _d.Pool.Pool.MountPoint;
            foreach (string dir in Directory.GetDirectories(mount).Select(Path.GetFileName).Where(n => n!.Length == 36 && n != BusyboxImage.Uuid)!)
                Assert.True(vms.ContainsKey(dir), $"{at}: zone dataset {dir} has no VM");
            Assert.Empty(Directory.GetFiles(Path.Combine(mount, "config"), "*.tmp"));
            Only(running, _d.RuncContainers(), "runc container", at);
            Only(running, Entries(Path.Combine(_d.RunDir, "netns")), "network namespace", at);
            Only(running, Entries(Path.Combine(_d.RunDir, "bundles")), "OCI bundle (and console socket)", at);
            Only(running, Entries(Path.Combine(_d.RunDir, "zonecontrol")), "metadata directory", at);
            Only(vms.Keys.ToHashSet(), Entries(Path.Combine(mount, "config", "logs")), "console log directory", at);
            var hostLinks = HostLinks().ToList();
            foreach (string uuid in _ever)
            {
                bool on = running.Contains(uuid);
                foreach (string controller in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
                {
                    string cgroup = Path.Combine(controller, "solstice", uuid);
                    Assert.True(on || !Directory.Exists(cgroup), $"{at}: cgroup {cgroup} of a VM that is not running\n{Tail()}");
                }
                string prefix = LinkNames.HostLink(uuid, 0)[..^1];
                var links = hostLinks.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                bool hasNic = on && all[uuid]["nics"] is JsonArray { Count: > 0 };
                Assert.True(hasNic ? links.Count == 1 : links.Count == 0, $"{at}: VM {uuid} ({(on ? "running" : "not running")}) has host links [{string.Join(", ", links)}]\n{Tail()}");
            }
            var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_d.RunDir + "/", StringComparison.Ordinal)).ToList();
            foreach (string m in mounts)
                Assert.True(running.Any(u => m == Path.Combine(_d.RunDir, "netns", u)), $"{at}: mount {m} belongs to no running VM\n{Tail()}");
            string antiSpoof = ProcessCommandRunner.Instance.Run(["nft", "list", "table", "bridge", Node.NodeNetwork.AntiSpoofTableFor(_d.RunDir)]).StandardOutput;
            foreach (string uuid in _ever.Where(u => !running.Contains(u)))
                Assert.DoesNotContain(LinkNames.HostLink(uuid, 0), antiSpoof);
            Assert.True(Ptys(_d.Pid) == running.Count, $"{at}: the daemon holds {Ptys(_d.Pid)} pty masters for {running.Count} running zones");
        }

        private static void Only(HashSet<string> allowed, IEnumerable<string> found, string what, string at)
        {
            foreach (string item in found)
                Assert.True(allowed.Contains(item), $"{at}: {what} {item} belongs to no VM that needs it");
        }

        private static IEnumerable<string> Entries(string dir) =>
            Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)).Where(n => n.Length == 36) : [];

        private static IEnumerable<string> HostLinks() =>
            Directory.GetDirectories("/sys/class/net").Select(d => Path.GetFileName(d));

        private static string Cgroup(string controller, string uuid, string file)
        {
            string path = $"/sys/fs/cgroup/{controller}/solstice/{uuid}/{file}";
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        }

        private static int Ptys(int pid) =>
            Directory.GetFiles($"/proc/{pid}/fd").Count(fd =>
            {
                try
                {
                    return new FileInfo(fd).LinkTarget?.EndsWith("ptmx", StringComparison.Ordinal) == true;
                }
                catch (IOException)
                {
                    return false;
                }
            });

        private string Tail()
        {
            string log = File.Exists(_d.Log) ? File.ReadAllText(_d.Log) : "";
            return log.Length > 4000 ? log[^4000..] : log;
        }

        public string Summary(TimeSpan elapsed) =>
            $"fault injection, seed {seed}: {_crashPoints} named crash points, {_delayKills} SIGKILLs after a random delay, {_recoveryKills} kills during recovery, "
            + $"{_unexercised} rounds whose crash point was never reached; verbs {string.Join(", ", _ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}; {elapsed.TotalSeconds:F0} s "
            + $"({(_d.IsAot ? "NativeAOT" : "JIT")} daemon starts and recovery {_starting.Elapsed.TotalSeconds:F0} s, checks {_checking.Elapsed.TotalSeconds:F0} s, verbs {_working.Elapsed.TotalSeconds:F0} s)";

        public void Dispose()
        {
            try
            {
                _d.Run("vmadm", "list", "-H", "-o", "uuid").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList()
                    .ForEach(u => _d.Run("vmadm", "delete", u));
                _d.Run("nictagadm", "delete", _tag);
            }
            finally
            {
                _d.Dispose();
                ProcessCommandRunner.Instance.Run(["ip", "link", "delete", LinkNames.Bridge(_tag)]);
            }
        }
    }
}
