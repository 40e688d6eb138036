using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Storage.Drivers.Btrfs;

/// <summary>
/// Datasets are btrfs subvolumes at their zfs path below the mount point (zones/a/b is
/// /zones/a/b, so a zonepath is /zones/&lt;uuid&gt; as on SmartOS). Snapshots are read-only
/// subvolumes kept out of every dataset's tree, at .snapshots/&lt;dataset&gt;@&lt;snap&gt;; '@' can't
/// occur in a dataset name so the two never collide. .solstice/tmp stages receives and swaps.
/// </summary>
public sealed partial class BtrfsDriver : IStorageDriver
{
    internal const string SnapshotDir = ".snapshots";
    internal const string WorkDir = ".solstice/tmp";
    private readonly ICommandRunner _runner;
    private readonly Lazy<string?>? _runtimeView;

    /// <param name="runtimeView">Where the pool's setuid-honouring second mount is (PoolManager.RuntimeViewOf), when it is mounted; looked up on first use.</param>
    public BtrfsDriver(string mountPoint, ICommandRunner runner, bool quotas = true, Lazy<string?>? runtimeView = null)
    {
        MountPoint = Path.GetFullPath(mountPoint).TrimEnd('/');
        _runner = runner;
        _runtimeView = runtimeView;
        Info = new StorageDriverInfo("btrfs", Quotas: quotas, CheapSnapshots: true, IncrementalSend: true,
            Notes: "subvolumes, O(1) snapshots and clones, simple quotas, btrfs send/receive streams");
    }

    public StorageDriverInfo Info { get; }

    public string MountPoint { get; }

    public string PathOf(string dataset) => dataset.Length == 0 ? MountPoint : $"{MountPoint}/{dataset}";

    public string RuntimePathOf(string dataset) =>
        _runtimeView?.Value?.TrimEnd('/') is not { } view ? PathOf(dataset) : dataset.Length == 0 ? view : $"{view}/{dataset}";

    internal string SnapshotPath(string dataset, string snapshot) => $"{MountPoint}/{SnapshotDir}/{dataset}@{snapshot}";

    public bool Exists(string dataset) => dataset.Length == 0 || FileStat.IsSubvolumeRoot(PathOf(dataset));

    public IReadOnlyList<string> ListChildren(string dataset)
    {
        var children = new List<string>();
        foreach (string entry in Directory.EnumerateDirectories(PathOf(dataset)))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('.') || !FileStat.IsSubvolumeRoot(entry))
                continue;
            children.Add(dataset.Length == 0 ? name : $"{dataset}/{name}");
        }
        children.Sort(StringComparer.Ordinal);
        return children;
    }

    public DateTimeOffset CreatedAt(string dataset) =>
        dataset.Length == 0 ? Directory.GetCreationTimeUtc(MountPoint) : Linux.Interop.Btrfs.GetSubvolumeInfo(PathOf(dataset)).Created;

    public void Create(string dataset)
    {
        Linux.Interop.Btrfs.CreateSubvolume(ParentDir(dataset), LeafOf(dataset));
        DatasetModes.Confine(PathOf(dataset));
    }

    public void Destroy(string dataset) => Linux.Interop.Btrfs.DestroySubvolume(ParentDir(dataset), LeafOf(dataset));

    public void SetQuota(string dataset, long? bytes) => Linux.Interop.Btrfs.SetReferencedLimit(PathOf(dataset), bytes);

    public DatasetUsage Usage(string dataset)
    {
        var own = Qgroup(PathOf(dataset));
        long used = own?.Exclusive ?? 0;
        foreach (var snapshot in ListSnapshots(dataset))
            used += SnapshotUsed(dataset, snapshot.Name);
        foreach (string child in ListChildren(dataset))
            used += Usage(child).Used;
        return new DatasetUsage(used, own?.Referenced ?? 0, own?.ReferencedLimit);
    }

    public long SnapshotUsed(string dataset, string snapshot) => Qgroup(SnapshotPath(dataset, snapshot))?.Exclusive ?? 0;

    public long Available() => Mounts.Available(MountPoint);

    private QgroupUsage? Qgroup(string path)
    {
        if (!Info.Quotas)
            return null;
        ulong id = path == MountPoint ? 5 : Linux.Interop.Btrfs.GetSubvolumeInfo(path).Id;
        return Linux.Interop.Btrfs.GetQgroup(MountPoint, id);
    }

    private string ParentDir(string dataset)
    {
        int slash = dataset.LastIndexOf('/');
        return slash < 0 ? MountPoint : PathOf(dataset[..slash]);
    }

    private static string LeafOf(string dataset) => dataset[(dataset.LastIndexOf('/') + 1)..];

    internal string NewWorkPath(string purpose)
    {
        string dir = Path.Combine(MountPoint, WorkDir);
        Directory.CreateDirectory(dir, DatasetModes.Private);
        return Path.Combine(dir, $"{purpose}-{Guid.NewGuid():N}");
    }
}
