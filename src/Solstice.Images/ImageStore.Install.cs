using Solstice.Core;
using Solstice.Images.Archive;
using Solstice.Images.Compression;
using Solstice.Images.Index;
using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Images;

/// <summary>How Install treats its file and lock.</summary>
public sealed record InstallOptions
{
    /// <summary>Move the file into the store as FileOf(uuid) (it is staged on the pool, so this is a rename).</summary>
    public bool KeepFile { get; init; }

    /// <summary>Copy the file into the store as FileOf(uuid) while verifying it (for files that stay where they are).</summary>
    public bool KeepCopy { get; init; }

    /// <summary>The caller checked size and SHA-1 while writing the file; skip the second read.</summary>
    public bool Verified { get; init; }

    /// <summary>The caller holds Lock(uuid) already.</summary>
    public bool Locked { get; init; }
}

public sealed partial class ImageStore
{
    /// <summary>Installs from a manifest file and an image file (imgadm install -m -f).</summary>
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
        return Install(ImageManifest.Parse(text, manifestPath), filePath, new InstallOptions { KeepCopy = true });
    }

    /// <summary>
    /// Installs the image file described by the manifest. The file's size and SHA-1 are checked
    /// before anything is created. An image with an origin is applied as a layer over a clone of
    /// the origin's @final, which must be installed. Any failure after that removes the dataset
    /// again, and the index entry is written only once the @final snapshot exists. Under the uuid's
    /// lock, a dataset left by an interrupted install is taken over: without @final it is partial
    /// and is destroyed; with @final its content is complete and only the index entry was missing.
    /// A zvol image becomes a dataset holding the disk file disk.raw instead of a rootfs (ImageStore.Zvol.cs).
    /// </summary>
    public InstalledImage Install(ImageManifest manifest, string filePath, InstallOptions? options = null)
    {
        options ??= new InstallOptions();
        Guid uuid = manifest.Uuid;
        // A zvol image is a disk for a hardware VM (kvm, bhyve): its dataset holds disk.raw, not a rootfs.
        long? disk = manifest.Type == "zvol" ? ZvolCapacity(manifest) : null;
        using var held = options.Locked ? null : Lock(uuid);
        // The manifest of this uuid is written only under its lock: a temp file of it now is a killed write's.
        if (Directory.Exists(IndexDirectory))
        {
            foreach (string stale in Directory.EnumerateFiles(IndexDirectory, $".{Key(uuid)}.json.*.tmp"))
                File.Delete(stale);
        }
        if (File.Exists(IndexPath(uuid)))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"image {uuid} is already installed on pool '{Pool.Name}'");
        Guid? origin = manifest.Origin is { } o ? Guid.ParseExact(o, "D") : null;
        if (origin is { } required && !Pool.Exists(SnapshotOf(required)))
            throw new SolsticeException(ErrorCode.NotFound,
                $"image {uuid}: origin image {required} is not installed on pool '{Pool.Name}' (import or install it first)");

        using var source = OpenImageFile(uuid, filePath);
        using var revert = new Reverter();
        string? copy = null;
        if (options.KeepCopy && !options.KeepFile)
        {
            copy = NewPartialPath(uuid);
            revert.Add("remove copy", () => File.Delete(copy));
        }
        // A reflink when the file is on the pool's filesystem, otherwise a copy written as the file is
        // read. The source is what gets read either way: a reflink is a new inode, not in the page
        // cache, and reading it would read the whole file from disk. The change time taken before
        // the reflink proves afterwards that the kept copy holds what was read.
        var before = FileStat.ChangeTime(source.SafeFileHandle);
        bool cloned = copy is not null && Reflink.TryClone(source, copy);
        CheckSize(manifest, source);
        using var verification = options.Verified ? null : new ImageFileVerification(source, manifest, cloned ? null : copy);
        Stream file = (Stream?)verification ?? source;

        EnsureIndexDataset();
        var dataset = DatasetOf(uuid);
        bool complete = Pool.Exists(dataset) && Pool.Exists(SnapshotOf(uuid));
        if (!complete)
        {
            if (Pool.Exists(dataset))
                Pool.Destroy(dataset, recursive: true);
            if (origin is { } parent)
                Pool.Clone(SnapshotOf(parent), dataset);
            else
                Pool.Create(dataset);
            revert.Add($"destroy {dataset}", () => Pool.Destroy(dataset, recursive: true));
            try
            {
                if (disk is { } capacity)
                {
                    InstallDisk(manifest, file, Pool.PathOf(dataset), capacity);
                }
                else
                {
                    string root = RootOf(uuid);
                    Directory.CreateDirectory(root);
                    Extract(manifest, file, root, layer: origin is not null || manifest.Type == "docker");
                }
            }
            catch (SolsticeException)
            {
                // A file that is not the manifest's explains a broken tarball best.
                verification?.Complete();
                throw;
            }
        }
        verification?.Complete();
        if (cloned && FileStat.ChangeTime(source.SafeFileHandle) != before)
            throw new SolsticeException(ErrorCode.Conflict, $"image {uuid}: {filePath} changed while it was being installed");
        if (!complete)
            Pool.Snapshot(SnapshotOf(uuid));
        try
        {
            if (options.KeepFile || copy is not null)
            {
                File.Move(copy ?? filePath, FileOf(uuid), overwrite: true);
                revert.Add("remove kept file", () => File.Delete(FileOf(uuid)));
            }
            AtomicFile.Write(IndexPath(uuid), System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString() + "\n"));
            Index.Added(uuid, ImageIndex.Compact(manifest));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SyscallException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: cannot write index entry {IndexPath(uuid)}: {ex.Message}", ex);
        }
        revert.Success();
        return new InstalledImage(manifest, Pool.Name);
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

    private static void CheckSize(ImageManifest manifest, FileStream file)
    {
        if (file.Length != manifest.File.Size)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {manifest.Uuid}: size mismatch: expected {manifest.File.Size} bytes, got {file.Length} ({file.Name})");
    }

    /// <summary>
    /// The node's file count. (A manifest's image_size would bound the files' bytes, but
    /// node-imgmanifest allows it on zvol images only, which are not extracted.)
    /// </summary>
    private ExtractionLimits ExtractionLimits() =>
        new(Limits.MaxFiles, "images.max_files in the node config");

    private void Extract(ImageManifest manifest, Stream file, string root, bool layer)
    {
        Guid uuid = manifest.Uuid;
        string compression = manifest.File.Compression;
        try
        {
            long expanded = Limits.ExpandedLimitFor(manifest.File.Size);
            string source = expanded == Limits.MaxExpandedBytes
                ? "images.max_expanded_bytes in the node config"
                : $"{Limits.MaxExpansionRatio} times the {manifest.File.Size}-byte image file; images.max_expansion_ratio in the node config";
            using var data = new ExpansionLimitStream(Decompression.Open(file, compression), expanded, source);
            SafeTarExtractor.Extract(data, root, _preserveOwnership, layer, ExtractionLimits());
            // Read to the end: gzip checks its CRC there and a decompressor tool reports its exit status.
            data.CopyTo(Stream.Null);
        }
        catch (ImageArchiveException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: refusing tarball {ex.Message}", ex);
        }
        catch (ImageTooLargeException ex)
        {
            throw new SolsticeException(ErrorCode.QuotaExceeded, $"image {uuid}: refusing tarball: {ex.Message}", ex);
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
