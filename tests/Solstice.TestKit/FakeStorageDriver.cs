using Solstice.Storage;

namespace Solstice.TestKit;

/// <summary>An in-memory driver for testing the policy layer: datasets and snapshots are names.</summary>
public sealed class FakeStorageDriver : IStorageDriver
{
    private readonly Dictionary<string, long?> _datasets = new() { [""] = null };
    private readonly List<(string Dataset, string Name, ulong Order)> _snapshots = [];
    private ulong _order;

    public List<string> Operations { get; } = [];

    /// <summary>When set, the next mutating call throws this.</summary>
    public Exception? FailNext { get; set; }

    public StorageDriverInfo Info { get; set; } = new("fake", Quotas: true, CheapSnapshots: true, IncrementalSend: true, "in memory");

    public string MountPoint => "/fake";

    public string PathOf(string dataset) => dataset.Length == 0 ? MountPoint : $"{MountPoint}/{dataset}";

    public bool Exists(string dataset) => _datasets.ContainsKey(dataset);

    public IReadOnlyList<string> ListChildren(string dataset)
    {
        string prefix = dataset.Length == 0 ? "" : dataset + "/";
        return _datasets.Keys.Where(k => k.Length > 0 && k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Order(StringComparer.Ordinal).ToList();
    }

    public DateTimeOffset CreatedAt(string dataset) => DateTimeOffset.UnixEpoch;

    public void Create(string dataset) => Mutate($"create {dataset}", () => _datasets[dataset] = null);

    public void Destroy(string dataset) => Mutate($"destroy {dataset}", () => _datasets.Remove(dataset));

    public IReadOnlyList<SnapshotEntry> ListSnapshots(string dataset) =>
        _snapshots.Where(s => s.Dataset == dataset).Select(s => new SnapshotEntry(s.Name, DateTimeOffset.UnixEpoch, s.Order)).ToList();

    public bool SnapshotExists(string dataset, string snapshot) => _snapshots.Any(s => s.Dataset == dataset && s.Name == snapshot);

    public void Snapshot(string dataset, string snapshot) => Mutate($"snapshot {dataset}@{snapshot}", () => _snapshots.Add((dataset, snapshot, ++_order)));

    public void DestroySnapshot(string dataset, string snapshot) =>
        Mutate($"destroy {dataset}@{snapshot}", () => _snapshots.RemoveAll(s => s.Dataset == dataset && s.Name == snapshot));

    public void Rollback(string dataset, string snapshot) => Mutate($"rollback {dataset}@{snapshot}", () => { });

    public void Clone(string dataset, string snapshot, string target) => Mutate($"clone {dataset}@{snapshot} {target}", () => _datasets[target] = null);

    public string? OriginOf(string dataset) => null;

    public void SetQuota(string dataset, long? bytes) => Mutate($"quota {dataset} {bytes}", () => _datasets[dataset] = bytes);

    public DatasetUsage Usage(string dataset) => new(0, 0, _datasets[dataset]);

    public long SnapshotUsed(string dataset, string snapshot) => 0;

    public long Available() => 1L << 30;

    public void Send(string dataset, string snapshot, string? parentSnapshot, Stream output) =>
        Mutate($"send {dataset}@{snapshot} from {parentSnapshot}", () => { });

    public string Receive(string dataset, Stream input)
    {
        Mutate($"receive {dataset}", () => _datasets[dataset] = null);
        return "received";
    }

    private void Mutate(string operation, Action action)
    {
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
        Operations.Add(operation);
        action();
    }
}
