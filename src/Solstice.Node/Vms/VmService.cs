using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Node;

/// <summary>
/// The single writer of VM state. Every mutation of one VM runs under that VM's lock; reads are
/// served from the repository's memory and the runtime table without locks. Partial classes
/// split it by verb family (Create, Lifecycle, Update, Snapshots, Recovery).
/// </summary>
public sealed partial class VmService
{
    private readonly StoragePool _pool;
    private readonly VmRepository _repository;
    private readonly InstanceDrivers _drivers;
    private readonly Supervisor _supervisor;
    private readonly EventHub _events;
    private readonly VmNodeFacts _facts;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningZone> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _creating = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetadataViewCache> _listViews = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly ConsoleHub _consoles;
    private readonly FdHolderClient? _fdHolder;
    private readonly MetadataHost _metadata;
    private readonly NodeNetwork? _network;
    private readonly IntentJournal _journal;

    public VmService(StoragePool pool, VmRepository repository, InstanceDrivers drivers, Supervisor supervisor, EventHub events, VmNodeFacts facts,
        ConsoleHub consoles, FdHolderClient? fdHolder, MetadataHost metadata, NodeNetwork? network = null)
    {
        _network = network;
        _metadata = metadata;
        _consoles = consoles;
        _fdHolder = fdHolder;
        _pool = pool;
        _repository = repository;
        _drivers = drivers;
        _supervisor = supervisor;
        _events = events;
        _facts = facts;
        _journal = new IntentJournal(Path.Combine(ConfigDirectory, ".intents"));
    }

    /// <summary>A zone the daemon knows to be running. StopRequested tells a vmadm stop from a crash.</summary>
    private sealed class RunningZone(int pid, DateTimeOffset started)
    {
        public int Pid { get; } = pid;
        public DateTimeOffset Started { get; } = started;
        public volatile bool StopRequested;
        public TaskCompletionSource<int> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public int RunningCount => _running.Count;

    /// <summary>Every VM without its snapshots, which list and lookup never show (and would cost a directory scan each).</summary>
    public IReadOnlyList<JsonObject> All() => _repository.All.Select(r => View(r, withSnapshots: false)).ToList();

    /// <summary>
    /// What vmadm list and lookup read: every VM as <see cref="All"/> has it, but shared and
    /// read-only. Each view is rebuilt only when its record or the zone's run state changed (as
    /// <see cref="MetadataView"/>), so a list under load clones nothing and takes no lock.
    /// </summary>
    public IReadOnlyList<JsonObject> Listing()
    {
        var views = new List<JsonObject>(_repository.All.Count);
        foreach (var record in _repository.All)
        {
            _running.TryGetValue(record.Uuid, out var running);
            bool stopping = running?.StopRequested ?? false;
            if (_listViews.TryGetValue(record.Uuid, out var cached) && ReferenceEquals(cached.Record, record)
                && ReferenceEquals(cached.Running, running) && cached.Stopping == stopping)
            {
                views.Add(cached.View);
                continue;
            }
            var view = View(record, withSnapshots: false);
            Materialize(view);
            _listViews[record.Uuid] = new MetadataViewCache(record, running, stopping, view);
            views.Add(view);
        }
        return views;
    }

    public JsonObject Get(string uuid) => View(Require(uuid));

    /// <summary>
    /// What the metadata server reads per request: the VM without its snapshot scan. Records are
    /// replaced, never changed in place, so the view is rebuilt only when the record or the
    /// zone's run state changed; the server only reads it, from any thread.
    /// </summary>
    private JsonObject MetadataView(string uuid, ref MetadataViewCache? cache)
    {
        var record = Require(uuid);
        _running.TryGetValue(uuid, out var running);
        bool stopping = running?.StopRequested ?? false;
        var cached = Volatile.Read(ref cache);
        if (cached is not null && ReferenceEquals(cached.Record, record) && ReferenceEquals(cached.Running, running) && cached.Stopping == stopping)
            return cached.View;
        var view = View(record, withSnapshots: false);
        Materialize(view);
        Volatile.Write(ref cache, new MetadataViewCache(record, running, stopping, view));
        return view;
    }

    /// <summary>Objects and arrays parsed from JSON fill themselves on first access; do it now, before threads share them.</summary>
    private static void Materialize(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var (_, child) in obj)
                Materialize(child);
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
                Materialize(child);
        }
    }

    private sealed record MetadataViewCache(VmRecord Record, RunningZone? Running, bool Stopping, JsonObject View);

    /// <summary>Serves the zone's metadata socket; guest PUTs become vmadm updates.</summary>
    private void StartMetadata(string uuid)
    {
        MetadataViewCache? cache = null;
        _metadata.Start(uuid, () => MetadataView(uuid, ref cache), async (payload, ct) => await UpdateAsync(uuid, payload, ct));
    }

    private VmRecord Require(string uuid) =>
        _repository.Find(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"zoneadm: {uuid}: No such zone configured");

    /// <summary>The vmadm object: stored properties plus what only the runtime knows.</summary>
    private JsonObject View(VmRecord record, bool withSnapshots = true)
    {
        var vm = (JsonObject)record.Vm.DeepClone();
        string state;
        if (record.Phase == VmPhase.Provisioning)
            state = "provisioning";
        else if (record.Phase == VmPhase.Deleting)
            state = "shutting_down";
        else if (_running.TryGetValue(record.Uuid, out var running))
        {
            state = running.StopRequested ? "stopping" : "running";
            vm["pid"] = running.Pid;
            vm["boot_timestamp"] = VmJson.FormatTimestamp(running.Started);
        }
        else
            state = vm["failed_reason"] is not null ? "failed" : "stopped";
        vm["state"] = state;
        vm["zone_state"] = state switch
        {
            "running" or "stopping" => "running",
            "provisioning" => "incomplete",
            "shutting_down" => "shutting_down",
            _ => "installed",
        };
        if (withSnapshots)
            vm["snapshots"] = Snapshots(record.Uuid);
        return vm;
    }

    /// <summary>The driver of the VM's brand (chosen by its capability record, never by type).</summary>
    private IInstanceDriver Driver(string uuid) => DriverOf(Require(uuid));

    private IInstanceDriver DriverOf(VmRecord record) => _drivers.For(VmJson.AsString(record.Vm["brand"]) ?? VmBrand.Default);

    /// <summary>Removes what the VM's driver holds for it; without a record (a sweep, an exit after the delete), every driver's.</summary>
    private void DeleteInstance(string uuid)
    {
        foreach (var driver in _repository.Find(uuid) is { } record ? [DriverOf(record)] : _drivers.All)
            driver.Delete(uuid, force: true);
    }

    private SemaphoreSlim LockFor(string uuid) => _locks.GetOrAdd(uuid, _ => new SemaphoreSlim(1, 1));

    /// <summary>
    /// WithLockAsync with the operation recorded in the intent journal from before its first side
    /// effect until it has finished or been undone (a failure that was fully undone ends it too).
    /// </summary>
    private Task<T> WithIntentAsync<T>(string uuid, string op, Func<T> action, CancellationToken ct) => WithLockAsync(uuid, op is VmIntent.Stop or VmIntent.Delete, () =>
    {
        Require(uuid); // a known uuid: never a path made up by a client
        _journal.Begin(uuid, op);
        try
        {
            return action();
        }
        finally
        {
            _journal.End(uuid);
        }
    }, ct);

    /// <summary>
    /// Runs action under the VM's lock. Lifecycle work blocks for long stretches (runc, waiting for
    /// a zone to stop), so it runs on a thread of its own, never on the pool: 20 stops blocking pool
    /// threads would leave list, get and the metadata servers queued behind the pool's slow growth.
    /// The thread, and the runc, btrfs, ip and nft it spawns, run at the lifecycle weight, below
    /// the threads serving requests (<see cref="WorkPriority"/>).
    /// </summary>
    private Task<T> WithLockAsync<T>(string uuid, Func<T> action, CancellationToken ct) => WithLockAsync(uuid, teardown: false, action, ct);

    /// <summary>As <see cref="WithLockAsync{T}(string, Func{T}, CancellationToken)"/>; teardown (stop, delete, kill) runs below create and start.</summary>
    private async Task<T> WithLockAsync<T>(string uuid, bool teardown, Func<T> action, CancellationToken ct)
    {
        var gate = LockFor(uuid);
        await gate.WaitAsync(ct);
        try
        {
            return await Task.Factory.StartNew(() => WorkPriority.AsLifecycle(action, teardown), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            gate.Release();
        }
    }

    private void Publish(string type, JsonObject? before, JsonObject? after)
    {
        var now = DateTimeOffset.UtcNow;
        var evt = type switch
        {
            VmEvent.Create => new VmEvent(VmEvent.Create, now, VmJson.AsString(after!["zonename"]), VmJson.AsString(after["uuid"])) { Vm = after },
            VmEvent.Delete => new VmEvent(VmEvent.Delete, now, VmJson.AsString(before!["zonename"]), VmJson.AsString(before["uuid"])),
            _ => VmEvent.Modified(before!, after!, now),
        };
        if (type == "modify" && evt.Changes is { Count: 0 })
            return;
        _events.Publish(new JsonObject
        {
            ["uuid"] = evt.Uuid,
            ["json"] = evt.ToJson(),
            ["text"] = VmEventFormatter.FormatText(evt),
            ["full"] = VmEventFormatter.FormatText(evt, full: true),
        });
    }

    private DatasetName ZoneDataset(string uuid) => _pool.Root.Child(uuid);

    internal string ZonePath(string uuid) => _pool.PathOf(ZoneDataset(uuid));

    /// <summary>The pool's config dataset (zones/config): VM records, intents, console logs.</summary>
    private string ConfigDirectory => _pool.PathOf(_pool.Root.Child("config"));

    private string ConsoleLogPath(string uuid) => ConsoleLog.For(ConfigDirectory, uuid);
}
