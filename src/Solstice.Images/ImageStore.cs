using Solstice.Core;
using Solstice.Images.Index;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Images;

/// <summary>
/// Installed images on one pool, laid out as SmartOS does: image &lt;uuid&gt; is the dataset
/// &lt;pool&gt;/&lt;uuid&gt; with snapshot @final (what instances clone), its rootfs in the dataset's
/// root/ directory. The manifest of each installed image is kept in the &lt;pool&gt;/images dataset
/// as &lt;uuid&gt;.json, written last and atomically: an index entry means a complete image. Listing
/// reads the index cache (ImageIndex), never the pool. Beside the index: &lt;uuid&gt;.file, the
/// image file as imported (kept so the node can serve it over IMGAPI), .locks/ (one flock per
/// uuid, serialising installs of that uuid) and .partial/ (downloads in progress).
/// </summary>
public sealed partial class ImageStore
{
    public const string FinalSnapshot = "final";
    public const string IndexDataset = "images";
    public const string RootDirectory = "root";

    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromMinutes(30);
    private readonly bool _preserveOwnership;

    /// <param name="preserveOwnership">Apply the tarball's uid/gid; defaults to whether the process is root.</param>
    public ImageStore(StoragePool pool, bool? preserveOwnership = null)
    {
        Pool = pool;
        _preserveOwnership = preserveOwnership ?? Environment.IsPrivilegedProcess;
        Index = new ImageIndex(IndexDirectory);
    }

    public StoragePool Pool { get; }

    /// <summary>How far an image may expand on install (the node config's images section).</summary>
    public ImageLimits Limits { get; init; } = ImageLimits.Default;

    public ImageIndex Index { get; }

    public string IndexDirectory => Pool.PathOf(Pool.Root.Child(IndexDataset));

    /// <summary>Where downloads and uploads are staged before install: on the pool, so the final move is a rename.</summary>
    public string PartialDirectory => Path.Combine(IndexDirectory, ".partial");

    private string LocksDirectory => Path.Combine(IndexDirectory, ".locks");

    public DatasetName DatasetOf(Guid uuid) => Pool.Root.Child(Key(uuid));

    public DatasetName SnapshotOf(Guid uuid) => DatasetOf(uuid) with { Snapshot = FinalSnapshot };

    /// <summary>The image's rootfs directory, /zones/&lt;uuid&gt;/root for the default pool.</summary>
    public string RootOf(Guid uuid) => Path.Combine(Pool.PathOf(DatasetOf(uuid)), RootDirectory);

    /// <summary>The image file kept from its import, when there is one.</summary>
    public string FileOf(Guid uuid) => Path.Combine(IndexDirectory, Key(uuid) + ".file");

    private string IndexPath(Guid uuid) => Index.ManifestPath(uuid);

    private static string Key(Guid uuid) => uuid.ToString("D");

    /// <summary>Installed: the index entry and the @final snapshot both exist.</summary>
    public bool Exists(Guid uuid) => File.Exists(IndexPath(uuid)) && Pool.Exists(SnapshotOf(uuid));

    public InstalledImage? Find(Guid uuid)
    {
        string path = IndexPath(uuid);
        if (!File.Exists(path))
            return null;
        var manifest = ImageManifest.ParseInstalled(File.ReadAllText(path), path);
        return new InstalledImage(manifest, Pool.Name);
    }

    public InstalledImage Get(Guid uuid) => Find(uuid) ?? throw new ImageNotInstalledException(uuid, Pool.Name);

    /// <summary>Every image in the index, oldest published first, then by name (imgadm's default sort).</summary>
    public IReadOnlyList<InstalledImage> List() =>
        ListIndexed().Select(i => i.ToInstalled())
            .OrderBy(i => i.Manifest.PublishedAt ?? "", StringComparer.Ordinal)
            .ThenBy(i => i.Manifest.Name, StringComparer.Ordinal)
            .ThenBy(i => i.Manifest.Version, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every image in the index as raw manifests, unsorted: the fast path for listing many images.</summary>
    public IReadOnlyList<IndexedImage> ListIndexed() =>
        Index.Load().Select(e => new IndexedImage(e.Key, e.Value, Pool.Name)).ToList();

    /// <summary>
    /// Takes the per-uuid lock that every install, import and delete of that uuid holds. waiting is
    /// called once if another process holds it.
    /// </summary>
    public FileLock Lock(Guid uuid, Action? waiting = null)
    {
        EnsureIndexDataset();
        Directory.CreateDirectory(LocksDirectory);
        try
        {
            return FileLock.Acquire(Path.Combine(LocksDirectory, Key(uuid) + ".lock"), s_lockTimeout, waiting, removeOnRelease: true);
        }
        catch (TimeoutException ex)
        {
            throw new SolsticeException(ErrorCode.Conflict, $"image {uuid}: another import or delete of it is still running ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// Removes files staged by interrupted imports: those whose uuid nobody holds locked now; and
    /// lock files nobody holds (left by a process killed while it held one, or by versions that
    /// kept them).
    /// </summary>
    public void CleanStaleFiles()
    {
        if (Directory.Exists(LocksDirectory))
        {
            foreach (string path in Directory.EnumerateFiles(LocksDirectory, "*.lock"))
                FileLock.TryAcquire(path, removeOnRelease: true)?.Dispose();
        }
        if (!Directory.Exists(PartialDirectory))
            return;
        foreach (string path in Directory.EnumerateFileSystemEntries(PartialDirectory))
        {
            string name = Path.GetFileName(path);
            if (name.Length < 36 || !Guid.TryParseExact(name[..36], "D", out var uuid))
                continue;
            Directory.CreateDirectory(LocksDirectory);
            using var held = FileLock.TryAcquire(Path.Combine(LocksDirectory, Key(uuid) + ".lock"), removeOnRelease: true);
            if (held is null)
                continue;
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
    }

    /// <summary>A new staging path for uuid's file (under the caller's lock).</summary>
    public string NewPartialPath(Guid uuid)
    {
        EnsureIndexDataset();
        Directory.CreateDirectory(PartialDirectory);
        foreach (string stale in Directory.EnumerateFiles(PartialDirectory, Key(uuid) + ".*"))
            File.Delete(stale);
        foreach (string stale in Directory.EnumerateDirectories(PartialDirectory, Key(uuid) + ".*"))
            Directory.Delete(stale, recursive: true);
        return Path.Combine(PartialDirectory, $"{Key(uuid)}.{Environment.ProcessId}.file");
    }

    /// <summary>
    /// Removes the index entry, then the dataset with its snapshots. Also cleans up a dataset left
    /// without an index entry. Refuses while datasets cloned from @final exist; whether instances
    /// use the image is the caller's to check.
    /// </summary>
    public void Delete(Guid uuid)
    {
        var dataset = DatasetOf(uuid);
        if (!File.Exists(IndexPath(uuid)) && !Pool.Exists(dataset))
            throw new ImageNotInstalledException(uuid, Pool.Name);
        using var held = Lock(uuid);
        bool indexed = File.Exists(IndexPath(uuid));
        bool hasDataset = Pool.Exists(dataset);
        if (!indexed && !hasDataset)
            throw new ImageNotInstalledException(uuid, Pool.Name);
        var clones = ClonesOf(uuid);
        if (clones.Count > 0)
            throw new SolsticeException(ErrorCode.Conflict,
                $"image {uuid} has {clones.Count} dependent clone(s): {string.Join(", ", clones)}");
        if (indexed)
        {
            Index.Removed(uuid);
            File.Delete(IndexPath(uuid));
            AtomicFile.SyncDirectory(IndexDirectory);
        }
        File.Delete(FileOf(uuid));
        if (hasDataset)
            Pool.Destroy(dataset, recursive: true);
    }

    /// <summary>Datasets whose origin is the image's @final snapshot (instances and child images).</summary>
    public IReadOnlyList<string> ClonesOf(Guid uuid)
    {
        string origin = $"{Key(uuid)}@{FinalSnapshot}";
        var clones = new List<string>();
        Walk("");
        return clones;

        void Walk(string relative)
        {
            foreach (string child in Pool.Driver.ListChildren(relative))
            {
                if (Pool.Driver.OriginOf(child) == origin)
                    clones.Add(Pool.Root.Child(child).Dataset);
                Walk(child);
            }
        }
    }

    private void EnsureIndexDataset()
    {
        var index = Pool.Root.Child(IndexDataset);
        if (!Pool.Exists(index))
            Pool.Create(index);
    }
}
