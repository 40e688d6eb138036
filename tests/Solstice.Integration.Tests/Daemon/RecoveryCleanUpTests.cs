using System.Text.Json.Nodes;
using Solstice.Instances;
using Solstice.Node;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Daemon;

/// <summary>Recovery against a runtime that counts its deletes: a stopped VM's host objects are removed once, not again by the sweep.</summary>
public sealed class RecoveryCleanUpTests
{
    private const string Uuid = "3c9d0f61-8a4e-4c1b-9b2f-5d7e6a1b0c2d";

    /// <summary>A zone driver with no zones running; it leaves what it deletes in place, so a second clean-up would show.</summary>
    private sealed class CountingDriver : IInstanceDriver
    {
        public Dictionary<string, int> Deletes { get; } = new(StringComparer.Ordinal);

        public InstanceDriverInfo Info { get; } = new()
        {
            Name = "counting",
            Brands = [new InstanceBrand("joyent", ["zone-dataset"])],
            SurvivesDaemonRestart = true,
        };

        public void Create(JsonObject vm)
        {
        }

        public void Prepare(JsonObject vm)
        {
        }

        public InstanceBoot Start(JsonObject vm) => throw new InvalidOperationException("recovery of a stopped VM boots nothing");

        public void Started(JsonObject vm)
        {
        }

        public void Signal(string uuid, int signal, bool all)
        {
        }

        public int StopSignal(string uuid) => 15;

        public void Delete(string uuid, bool force) => Deletes[uuid] = Deletes.GetValueOrDefault(uuid) + 1;

        public InstanceState? State(string uuid) => new(false, 0, null);

        public IReadOnlyList<string> List() => [Uuid];

        public void Adopt(JsonObject vm)
        {
        }

        public void Update(JsonObject vm)
        {
        }

        public IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty) => argv;
    }

    [PrivilegedFact]
    public async Task A_stopped_vm_is_cleaned_once_by_recovery()
    {
        using var loop = new LoopPool(driver: "dir");
        string runDir = Path.Combine(loop.Directory, "run");
        // What a boot leaves in the run directory: the sweep would find the bundle and delete the container again.
        Directory.CreateDirectory(Path.Combine(runDir, "bundles", Uuid));
        var repository = new VmRepository(loop.Pool.PathOf(loop.Pool.Root.Child("config")));
        repository.Save(new VmRecord(Uuid, VmPhase.Ready, new JsonObject
        {
            ["autoboot"] = false,
            ["brand"] = "joyent",
            ["uuid"] = Uuid,
        }));
        var runtime = new CountingDriver();
        using var supervisor = new Supervisor();
        using var consoles = new ConsoleHub();
        await using var metadata = new MetadataHost(runDir);
        var vms = new VmService(loop.Pool, repository, new InstanceDrivers([runtime]), supervisor, new EventHub(), NodeFacts.Read(), consoles, null, metadata);

        vms.Recover(nodeBoot: false);

        Assert.Equal(1, runtime.Deletes.GetValueOrDefault(Uuid));
        Assert.Equal("stopped", vms.Get(Uuid)["state"]!.GetValue<string>());
    }
}
