using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>vmadm snapshots are dataset snapshots named vmsnap-&lt;name&gt;, as on SmartOS.</summary>
    private const string SnapshotPrefix = "vmsnap-";
    private const int MaxSnapshotName = 64;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _snapshotGeneration = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _noSnapshotsAt = new(StringComparer.Ordinal);

    public Task CreateSnapshotAsync(string uuid, string name, CancellationToken ct) => WithLockAsync(uuid, () =>
    {
        RequireReady(uuid);
        CheckSnapshotName(name);
        var snapshot = ZoneDataset(uuid) with { Snapshot = SnapshotPrefix + name };
        if (_pool.Exists(snapshot))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"snapshot '{name}' already exists for VM {uuid}");
        var before = View(Require(uuid));
        _pool.Snapshot(snapshot);
        _snapshotGeneration.AddOrUpdate(uuid, 1, (_, generation) => generation + 1);
        Publish(VmEvent.Modify, before, View(Require(uuid)));
        return true;
    }, ct);

    /// <summary>Stops a running VM, rolls back (destroying newer snapshots, as vmadm does) and restarts it.</summary>
    public Task RollbackSnapshotAsync(string uuid, string name, CancellationToken ct) => WithLockAsync(uuid, () =>
    {
        RequireReady(uuid);
        var snapshot = RequireSnapshot(uuid, name);
        var before = View(Require(uuid));
        bool wasRunning = _running.ContainsKey(uuid);
        if (wasRunning)
            StopLocked(uuid, force: false, TimeSpan.FromSeconds(30));
        _pool.Rollback(snapshot, destroyNewer: true);
        if (wasRunning)
            StartLocked(uuid, publish: false);
        Publish(VmEvent.Modify, before, View(Require(uuid)));
        return true;
    }, ct);

    public Task DeleteSnapshotAsync(string uuid, string name, CancellationToken ct) => WithLockAsync(uuid, () =>
    {
        RequireReady(uuid);
        var snapshot = RequireSnapshot(uuid, name);
        var before = View(Require(uuid));
        _pool.Destroy(snapshot, recursive: false);
        Publish(VmEvent.Modify, before, View(Require(uuid)));
        return true;
    }, ct);

    private Storage.DatasetName RequireSnapshot(string uuid, string name)
    {
        CheckSnapshotName(name);
        var snapshot = ZoneDataset(uuid) with { Snapshot = SnapshotPrefix + name };
        if (!_pool.Exists(snapshot))
            throw new SolsticeException(ErrorCode.NotFound, $"snapshot '{name}' does not exist for VM {uuid}");
        return snapshot;
    }

    private static void CheckSnapshotName(string name)
    {
        if (name.Length == 0 || name.Length > MaxSnapshotName
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"invalid snapshot name '{name}': use at most {MaxSnapshotName} of [A-Za-z0-9-_.:]");
    }

    /// <summary>
    /// The snapshots property: {name, size (MiB), created_at}. Most VMs have none, and vmadm get
    /// then reads no disk: a VM found without snapshots is remembered so until the daemon
    /// snapshots it (the generation, bumped after each snapshot, makes a scan that raced one stale).
    /// </summary>
    private JsonArray Snapshots(string uuid)
    {
        var array = new JsonArray();
        long generation = _snapshotGeneration.GetValueOrDefault(uuid);
        if (_noSnapshotsAt.TryGetValue(uuid, out long at) && at == generation)
            return array;
        var dataset = ZoneDataset(uuid);
        if (!_pool.Driver.Exists(dataset.Relative))
            return array;
        foreach (var entry in _pool.Driver.ListSnapshots(dataset.Relative))
        {
            if (!entry.Name.StartsWith(SnapshotPrefix, StringComparison.Ordinal))
                continue;
            array.Add((JsonNode)new JsonObject
            {
                ["name"] = entry.Name[SnapshotPrefix.Length..],
                ["size"] = _pool.Driver.SnapshotUsed(dataset.Relative, entry.Name) >> 20,
                ["created_at"] = VmJson.FormatTimestamp(entry.Created),
            });
        }
        if (array.Count == 0)
            _noSnapshotsAt[uuid] = generation;
        return array;
    }

    /// <summary>Forgets a deleted VM's snapshot bookkeeping and its list view.</summary>
    private void ForgetSnapshots(string uuid)
    {
        _listViews.TryRemove(uuid, out _);
        _noSnapshotsAt.TryRemove(uuid, out _);
        _snapshotGeneration.TryRemove(uuid, out _);
    }
}
