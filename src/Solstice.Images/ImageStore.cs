using System.Security.Cryptography;
using System.Text;
using Solstice.Core;
using Solstice.Images.Archive;
using Solstice.Images.Compression;
using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.Storage;

namespace Solstice.Images;

/// <summary>
/// Installed images on one pool, laid out as SmartOS does: image &lt;uuid&gt; is the dataset
/// &lt;pool&gt;/&lt;uuid&gt; with snapshot @final (what instances clone), its rootfs in the dataset's
/// root/ directory. The manifest of each installed image is kept in the &lt;pool&gt;/images dataset
/// as &lt;uuid&gt;.json, written last and atomically: an index entry means a complete image, and
/// listing reads only that directory, never the pool.
/// </summary>
public sealed class ImageStore
{
    public const string FinalSnapshot = "final";
    public const string IndexDataset = "images";
    public const string RootDirectory = "root";

    private readonly bool _preserveOwnership;

    /// <param name="preserveOwnership">Apply the tarball's uid/gid; defaults to whether the process is root.</param>
    public ImageStore(StoragePool pool, bool? preserveOwnership = null)
    {
        Pool = pool;
        _preserveOwnership = preserveOwnership ?? Environment.IsPrivilegedProcess;
    }

    public StoragePool Pool { get; }

    public string IndexDirectory => Pool.PathOf(Pool.Root.Child(IndexDataset));

    public DatasetName DatasetOf(Guid uuid) => Pool.Root.Child(Key(uuid));

    public DatasetName SnapshotOf(Guid uuid) => DatasetOf(uuid) with { Snapshot = FinalSnapshot };

    /// <summary>The image's rootfs directory, /zones/&lt;uuid&gt;/root for the default pool.</summary>
    public string RootOf(Guid uuid) => Path.Combine(Pool.PathOf(DatasetOf(uuid)), RootDirectory);

    private string IndexPath(Guid uuid) => Path.Combine(IndexDirectory, Key(uuid) + ".json");

    private static string Key(Guid uuid) => uuid.ToString("D");

    /// <summary>Installed: the index entry and the @final snapshot both exist.</summary>
    public bool Exists(Guid uuid) => File.Exists(IndexPath(uuid)) && Pool.Exists(SnapshotOf(uuid));

    public InstalledImage? Find(Guid uuid)
    {
        string path = IndexPath(uuid);
        if (!File.Exists(path))
            return null;
        var manifest = ImageManifest.Parse(File.ReadAllText(path), path);
        return new InstalledImage(manifest, Pool.Name);
    }

    public InstalledImage Get(Guid uuid) => Find(uuid) ?? throw new ImageNotInstalledException(uuid, Pool.Name);

    /// <summary>Every image in the index, oldest published first, then by name (imgadm's default sort).</summary>
    public IReadOnlyList<InstalledImage> List()
    {
        if (!Directory.Exists(IndexDirectory))
            return [];
        var images = new List<InstalledImage>();
        foreach (string path in Directory.EnumerateFiles(IndexDirectory, "*.json"))
        {
            string file = Path.GetFileName(path);
            if (file.StartsWith('.'))
                continue;
            // A file that is not a manifest for its own uuid was not written by Install; skip it.
            if (ImageManifest.TryParse(File.ReadAllText(path)) is { } manifest && file == Key(manifest.Uuid) + ".json")
                images.Add(new InstalledImage(manifest, Pool.Name));
        }
        return images
            .OrderBy(i => i.Manifest.PublishedAt ?? "", StringComparer.Ordinal)
            .ThenBy(i => i.Manifest.Name, StringComparer.Ordinal)
            .ThenBy(i => i.Manifest.Version, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Installs the image file described by the manifest. The file's size and SHA-1 are checked
    /// before anything is created; any failure after that removes the dataset again, and the index
    /// entry is written only once the @final snapshot exists.
    /// </summary>
    public InstalledImage Install(string manifestPath, string filePath)
    {
        string text;
        try
        {
            text = File.ReadAllText(manifestPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"image manifest {manifestPath}: {ex.Message}", ex);
        }
        var manifest = ImageManifest.Parse(text, manifestPath);
        Guid uuid = manifest.Uuid;
        if (manifest.Origin is not null)
            throw new SolsticeException(ErrorCode.NotSupported, $"image {uuid}: incremental images (origin {manifest.Origin}) are not supported");
        if (File.Exists(IndexPath(uuid)))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"image {uuid} is already installed on pool '{Pool.Name}'");
        if (Pool.Exists(DatasetOf(uuid)))
            throw new SolsticeException(ErrorCode.AlreadyExists,
                $"image {uuid}: dataset '{DatasetOf(uuid)}' already exists but is not an installed image (remove it with 'imgadm delete {uuid}')");

        using var file = OpenImageFile(uuid, filePath);
        Verify(manifest, file);

        EnsureIndexDataset();
        var dataset = DatasetOf(uuid);
        using var revert = new Reverter();
        Pool.Create(dataset);
        revert.Add($"destroy {dataset}", () => Pool.Destroy(dataset, recursive: true));
        string root = RootOf(uuid);
        Directory.CreateDirectory(root);
        file.Position = 0;
        Extract(manifest, file, root);
        Pool.Snapshot(SnapshotOf(uuid));
        try
        {
            AtomicFile.Write(IndexPath(uuid), Encoding.UTF8.GetBytes(manifest.ToJsonString() + "\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: cannot write index entry {IndexPath(uuid)}: {ex.Message}", ex);
        }
        revert.Success();
        return new InstalledImage(manifest, Pool.Name);
    }

    /// <summary>
    /// Removes the index entry, then the dataset with its snapshots. Also cleans up a dataset left
    /// without an index entry. Refuses while datasets cloned from @final exist; whether instances
    /// use the image is the caller's to check.
    /// </summary>
    public void Delete(Guid uuid)
    {
        var dataset = DatasetOf(uuid);
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
            File.Delete(IndexPath(uuid));
            AtomicFile.SyncDirectory(IndexDirectory);
        }
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

    private static FileStream OpenImageFile(Guid uuid, string filePath)
    {
        try
        {
            return new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"image {uuid}: cannot open image file {filePath}: {ex.Message}", ex);
        }
    }

    private static void Verify(ImageManifest manifest, FileStream file)
    {
        long size = file.Length;
        if (size != manifest.File.Size)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {manifest.Uuid}: size mismatch: expected {manifest.File.Size} bytes, got {size} ({file.Name})");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        byte[] buffer = new byte[1 << 17];
        int read;
        while ((read = file.Read(buffer)) > 0)
            hash.AppendData(buffer, 0, read);
        string sha1 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (sha1 != manifest.File.Sha1)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {manifest.Uuid}: sha1 mismatch: expected {manifest.File.Sha1}, got {sha1} ({file.Name})");
    }

    private void Extract(ImageManifest manifest, Stream file, string root)
    {
        Guid uuid = manifest.Uuid;
        string compression = manifest.File.Compression;
        try
        {
            using var data = Decompression.Open(file, compression);
            SafeTarExtractor.Extract(data, root, _preserveOwnership);
            // Read to the end: gzip checks its CRC there and a decompressor tool reports its exit status.
            data.CopyTo(Stream.Null);
        }
        catch (ImageArchiveException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: refusing tarball {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: corrupt {compression} tarball: {ex.Message}", ex);
        }
        catch (SyscallException ex) when (ex.Errno is Errno.ENOSPC or Errno.EDQUOT)
        {
            throw new SolsticeException(ErrorCode.QuotaExceeded, $"image {uuid}: out of space extracting into {root}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: extracting into {root}: {ex.Message}", ex);
        }
    }
}
