namespace Solstice.Storage;

/// <summary>
/// What a driver can do, so callers never ask "is this btrfs?". Quotas: enforced by the kernel.
/// CheapSnapshots: snapshots and clones take constant time whatever the data size.
/// IncrementalSend: send can produce a stream against a parent snapshot.
/// </summary>
public sealed record StorageDriverInfo(string Name, bool Quotas, bool CheapSnapshots, bool IncrementalSend, string Notes);

public sealed record SnapshotEntry(string Name, DateTimeOffset Created, ulong Order);

/// <summary>Space of one dataset in bytes. Quota is null when unlimited.</summary>
public sealed record DatasetUsage(long Used, long Referenced, long? Quota);

/// <summary>
/// The mechanism layer: datasets are addressed by their path relative to the pool root
/// ("" is the root dataset). Drivers know nothing of names, errors for users or policy;
/// StoragePool does that. Every method throws on failure and leaves nothing half-made.
/// </summary>
public interface IStorageDriver
{
    StorageDriverInfo Info { get; }

    string MountPoint { get; }

    string PathOf(string dataset);

    /// <summary>
    /// Where an OCI runtime should find the dataset: the same tree as PathOf, but through a mount
    /// that honours setuid bits (the host's mount of the pool has nosuid). Root-only: it sits under
    /// a 0700 directory. Drivers without such a mount return PathOf.
    /// </summary>
    string RuntimePathOf(string dataset) => PathOf(dataset);

    bool Exists(string dataset);

    IReadOnlyList<string> ListChildren(string dataset);

    DateTimeOffset CreatedAt(string dataset);

    void Create(string dataset);

    /// <summary>Precondition: the dataset has no snapshots and no child datasets.</summary>
    void Destroy(string dataset);

    IReadOnlyList<SnapshotEntry> ListSnapshots(string dataset);

    bool SnapshotExists(string dataset, string snapshot);

    void Snapshot(string dataset, string snapshot);

    void DestroySnapshot(string dataset, string snapshot);

    /// <summary>Replaces the dataset's contents with the snapshot's; child datasets are kept.</summary>
    void Rollback(string dataset, string snapshot);

    void Clone(string dataset, string snapshot, string target);

    /// <summary>The "dataset@snapshot" a dataset was cloned from, or null.</summary>
    string? OriginOf(string dataset);

    void SetQuota(string dataset, long? bytes);

    DatasetUsage Usage(string dataset);

    long SnapshotUsed(string dataset, string snapshot);

    long Available();

    void Send(string dataset, string snapshot, string? parentSnapshot, Stream output);

    /// <summary>Receives a stream into dataset (created, or advanced when incremental); returns the snapshot name.</summary>
    string Receive(string dataset, Stream input);
}
