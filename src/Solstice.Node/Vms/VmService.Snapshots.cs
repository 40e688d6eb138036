using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>vmadm snapshots are dataset snapshots named vmsnap-&lt;name&gt;, as on SmartOS.</summary>
    private const string SnapshotPrefix = "vmsnap-";
    private const int MaxSnapshotName = 64;

    public Task CreateSnapshotAsync(string uuid, string name, CancellationToken ct) => WithLockAsync(uuid, () =>
    {
        RequireReady(uuid);
        CheckSnapshotName(name);
        var snapshot = ZoneDataset(uuid) with { Snapshot = SnapshotPrefix + name };
        if (_pool.Exists(snapshot))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"snapshot '{name}' already exists for VM {uuid}");
        var before = View(Require(uuid));
        _pool.Snapshot(snapshot);
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

    /// <summary>The snapshots property: {name, size (MiB), created_at}.</summary>
    private JsonArray Snapshots(string uuid)
    {
        var array = new JsonArray();
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
        return array;
    }
}
