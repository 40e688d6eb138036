using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Images;
using Solstice.Instances;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.Storage.Drivers.Dir;
using Solstice.TestKit;

namespace Solstice.Node.Tests;

/// <summary>
/// A VmService as solsticed builds it, on a directory pool with one installed image and a fake
/// instance driver, without networking or the fd holder. Restart() replaces the service (and its
/// supervisor, consoles and metadata servers) as a daemon restart does, keeping the pool, the
/// run directory and the driver's instances.
/// </summary>
public sealed class VmServiceFixture : IDisposable
{
    private readonly TempDirectory _root = new("solstice-node");
    private Supervisor _supervisor = null!;
    private ConsoleHub _consoles = null!;
    private MetadataHost _metadata = null!;

    public VmServiceFixture(params IInstanceDriver[] extraDrivers)
    {
        Directory.CreateDirectory(_root.Combine("pool"));
        Pool = new StoragePool("zones", new DirDriver(_root.Combine("pool"), ProcessCommandRunner.Instance));
        var image = new ImageStore(Pool).DatasetOf(ImageUuid);
        Pool.Create(image);
        Directory.CreateDirectory(Path.Combine(Pool.PathOf(image), "root", "etc"));
        Pool.Snapshot(image with { Snapshot = ImageStore.FinalSnapshot });
        Drivers = new InstanceDrivers([Driver, .. extraDrivers]);
        Start();
    }

    public static readonly Guid ImageUuid = Guid.Parse("0a9b5ffc-6d3f-4b3b-9c8e-1f0e2d3c4b5a");

    public StoragePool Pool { get; }

    public FakeInstanceDriver Driver { get; } = new();

    public InstanceDrivers Drivers { get; }

    public EventHub Events { get; private set; } = null!;

    public VmService Vms { get; private set; } = null!;

    public string RunDirectory => _root.Combine("run");

    public JsonObject Payload(bool autoboot, string brand = VmBrand.Joyent) => new()
    {
        ["brand"] = brand,
        ["image_uuid"] = ImageUuid.ToString(),
        ["alias"] = "test",
        ["autoboot"] = autoboot,
        ["max_physical_memory"] = 256,
    };

    public async Task<string> CreateAsync(bool autoboot) =>
        VmJson.AsString((await Vms.CreateAsync(Payload(autoboot), null, CancellationToken.None))["uuid"])!;

    public string State(string uuid) => VmJson.AsString(Vms.Get(uuid)["state"])!;

    /// <summary>What a daemon restart does to the service: a new one over the same state, then recovery.</summary>
    public void Restart(bool nodeBoot = false, Action? whileDown = null)
    {
        StopService();
        whileDown?.Invoke();
        Start();
        Vms.Recover(nodeBoot);
    }

    private void Start()
    {
        Directory.CreateDirectory(RunDirectory);
        _supervisor = new Supervisor();
        _consoles = new ConsoleHub();
        _metadata = new MetadataHost(RunDirectory);
        Events = new EventHub();
        var repository = new VmRepository(Pool.PathOf(Pool.Root.Child("config")));
        Vms = new VmService(Pool, repository, Drivers, _supervisor, Events, new VmNodeFacts("00000000-0000-0000-0000-000000000001", null, null, DateTimeOffset.UtcNow),
            _consoles, fdHolder: null, _metadata);
    }

    private void StopService()
    {
        _supervisor.Dispose();
        _consoles.Dispose();
        _metadata.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        StopService();
        foreach (string id in Driver.List())
            Driver.Delete(id, force: true);
        _root.Dispose();
    }
}
