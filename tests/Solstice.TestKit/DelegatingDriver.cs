using Solstice.Storage;

namespace Solstice.TestKit;

/// <summary>Forwards every call; tests override one method to inject a fault.</summary>
public class DelegatingDriver(IStorageDriver inner) : IStorageDriver
{
    public StorageDriverInfo Info => inner.Info;
    public string MountPoint => inner.MountPoint;
    public string PathOf(string dataset) => inner.PathOf(dataset);
    public bool Exists(string dataset) => inner.Exists(dataset);
    public IReadOnlyList<string> ListChildren(string dataset) => inner.ListChildren(dataset);
    public DateTimeOffset CreatedAt(string dataset) => inner.CreatedAt(dataset);
    public virtual void Create(string dataset) => inner.Create(dataset);
    public virtual void Destroy(string dataset) => inner.Destroy(dataset);
    public IReadOnlyList<SnapshotEntry> ListSnapshots(string dataset) => inner.ListSnapshots(dataset);
    public bool SnapshotExists(string dataset, string snapshot) => inner.SnapshotExists(dataset, snapshot);
    public virtual void Snapshot(string dataset, string snapshot) => inner.Snapshot(dataset, snapshot);
    public virtual void DestroySnapshot(string dataset, string snapshot) => inner.DestroySnapshot(dataset, snapshot);
    public virtual void Rollback(string dataset, string snapshot) => inner.Rollback(dataset, snapshot);
    public virtual void Clone(string dataset, string snapshot, string target) => inner.Clone(dataset, snapshot, target);
    public string? OriginOf(string dataset) => inner.OriginOf(dataset);
    public virtual void SetQuota(string dataset, long? bytes) => inner.SetQuota(dataset, bytes);
    public DatasetUsage Usage(string dataset) => inner.Usage(dataset);
    public long SnapshotUsed(string dataset, string snapshot) => inner.SnapshotUsed(dataset, snapshot);
    public long Available() => inner.Available();
    public virtual void Send(string dataset, string snapshot, string? parentSnapshot, Stream output) => inner.Send(dataset, snapshot, parentSnapshot, output);
    public virtual string Receive(string dataset, Stream input) => inner.Receive(dataset, input);
}
