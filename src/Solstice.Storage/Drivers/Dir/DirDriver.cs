using System.Text.Json;
using System.Text.Json.Serialization;
using Solstice.Linux;

namespace Solstice.Storage.Drivers.Dir;

/// <summary>
/// The fallback for hosts without btrfs: datasets are plain directories, snapshots and clones are
/// full copies (cp --reflink=auto, so O(1) only where the filesystem can reflink), there are no
/// quotas, and send/receive is a tar stream without incrementals. The registry of which
/// directories are datasets lives in .solstice/dir-registry.json, written atomically.
/// </summary>
public sealed class DirDriver : IStorageDriver
{
    private const string RegistryFile = ".solstice/dir-registry.json";
    private readonly ICommandRunner _runner;

    public DirDriver(string mountPoint, ICommandRunner runner)
    {
        MountPoint = Path.GetFullPath(mountPoint).TrimEnd('/');
        _runner = runner;
    }

    public StorageDriverInfo Info { get; } = new("dir", Quotas: false, CheapSnapshots: false, IncrementalSend: false,
        Notes: "plain directories: snapshots and clones copy all data, no quotas, full tar streams only");

    public string MountPoint { get; }

    public string PathOf(string dataset) => dataset.Length == 0 ? MountPoint : $"{MountPoint}/{dataset}";

    private string SnapshotPath(string dataset, string snapshot) => $"{MountPoint}/.snapshots/{dataset}@{snapshot}";

    public bool Exists(string dataset) => dataset.Length == 0 || Load().Datasets.ContainsKey(dataset);

    public IReadOnlyList<string> ListChildren(string dataset)
    {
        string prefix = dataset.Length == 0 ? "" : dataset + "/";
        return Load().Datasets.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Order(StringComparer.Ordinal).ToList();
    }

    public DateTimeOffset CreatedAt(string dataset) =>
        dataset.Length == 0 ? Directory.GetCreationTimeUtc(MountPoint) : Load().Datasets[dataset].Created;

    public void Create(string dataset)
    {
        var registry = Load();
        Directory.CreateDirectory(PathOf(dataset));
        DatasetModes.Confine(PathOf(dataset));
        registry.Datasets[dataset] = new DirDataset { Created = DateTimeOffset.UtcNow };
        Save(registry);
    }

    public void Destroy(string dataset)
    {
        var registry = Load();
        registry.Datasets.Remove(dataset);
        Save(registry);
        Directory.Delete(PathOf(dataset), recursive: true);
    }

    public IReadOnlyList<SnapshotEntry> ListSnapshots(string dataset) =>
        Load().Snapshots
            .Where(s => s.Key.StartsWith(dataset + "@", StringComparison.Ordinal))
            .Select(s => new SnapshotEntry(s.Key[(dataset.Length + 1)..], s.Value.Created, s.Value.Order))
            .OrderBy(s => s.Order).ToList();

    public bool SnapshotExists(string dataset, string snapshot) => Load().Snapshots.ContainsKey($"{dataset}@{snapshot}");

    public void Snapshot(string dataset, string snapshot)
    {
        var registry = Load();
        string target = SnapshotPath(dataset, snapshot);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Copy(PathOf(dataset), target, excludeChildren: ListChildren(dataset));
        registry.Snapshots[$"{dataset}@{snapshot}"] = new DirSnapshot { Created = DateTimeOffset.UtcNow, Order = ++registry.Counter };
        Save(registry);
    }

    public void DestroySnapshot(string dataset, string snapshot)
    {
        var registry = Load();
        registry.Snapshots.Remove($"{dataset}@{snapshot}");
        Save(registry);
        Directory.Delete(SnapshotPath(dataset, snapshot), recursive: true);
    }

    public void Rollback(string dataset, string snapshot)
    {
        string path = PathOf(dataset);
        var children = ListChildren(dataset).Select(c => Path.GetFileName(c)).ToHashSet();
        foreach (string entry in Directory.EnumerateFileSystemEntries(path))
        {
            if (children.Contains(Path.GetFileName(entry)))
                continue;
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                Directory.Delete(entry, recursive: true);
            else
                File.Delete(entry);
        }
        Copy(SnapshotPath(dataset, snapshot), path, excludeChildren: []);
    }

    public void Clone(string dataset, string snapshot, string target)
    {
        var registry = Load();
        Copy(SnapshotPath(dataset, snapshot), PathOf(target), excludeChildren: []);
        DatasetModes.Confine(PathOf(target));
        registry.Datasets[target] = new DirDataset { Created = DateTimeOffset.UtcNow, Origin = $"{dataset}@{snapshot}" };
        Save(registry);
    }

    public string? OriginOf(string dataset) => dataset.Length == 0 ? null : Load().Datasets[dataset].Origin;

    public void SetQuota(string dataset, long? bytes) =>
        throw new NotSupportedException("quotas are not supported by the dir storage driver");

    public DatasetUsage Usage(string dataset)
    {
        long referenced = SizeOf(PathOf(dataset), ListChildren(dataset).Select(PathOf).ToHashSet());
        long used = referenced + ListSnapshots(dataset).Sum(s => SnapshotUsed(dataset, s.Name));
        used += ListChildren(dataset).Sum(c => Usage(c).Used);
        return new DatasetUsage(used, referenced, null);
    }

    public long SnapshotUsed(string dataset, string snapshot) => SizeOf(SnapshotPath(dataset, snapshot), new HashSet<string>());

    public long Available() => Mounts.Available(MountPoint);

    public void Send(string dataset, string snapshot, string? parentSnapshot, Stream output)
    {
        if (parentSnapshot is not null)
            throw new NotSupportedException("incremental streams are not supported by the dir storage driver");
        var result = _runner.RunToStream(["tar", "-C", SnapshotPath(dataset, snapshot), "--numeric-owner", "--xattrs", "-cf", "-", "."], output);
        if (!result.Succeeded)
            throw new IOException($"tar failed: {result.StandardError.Trim()}");
    }

    public string Receive(string dataset, Stream input)
    {
        if (Exists(dataset))
            throw new Btrfs.StreamTargetExistsException();
        const string snapshot = "received";
        using var revert = new Reverter();
        Create(dataset);
        revert.Add("destroy dataset", () => Destroy(dataset));
        var result = _runner.RunFromStream(["tar", "-C", PathOf(dataset), "--numeric-owner", "--xattrs", "-xpf", "-"], input);
        if (!result.Succeeded)
            throw new IOException($"tar failed: {result.StandardError.Trim()}");
        Snapshot(dataset, snapshot);
        revert.Success();
        return snapshot;
    }

    private void Copy(string source, string target, IReadOnlyCollection<string> excludeChildren)
    {
        Directory.CreateDirectory(target);
        var skip = excludeChildren.Select(c => Path.GetFileName(c)).ToHashSet();
        foreach (string entry in Directory.EnumerateFileSystemEntries(source))
        {
            if (skip.Contains(Path.GetFileName(entry)))
                continue;
            var result = _runner.Run(["cp", "-a", "--reflink=auto", entry, target + "/"]);
            if (!result.Succeeded)
                throw new IOException($"copy {entry}: {result.StandardError.Trim()}");
        }
    }

    private static long SizeOf(string path, IReadOnlySet<string> skip)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(path).EnumerateFileSystemInfos("*", options))
        {
            if (skip.Contains(file.FullName))
                continue;
            if (file is FileInfo f && !f.Attributes.HasFlag(FileAttributes.ReparsePoint))
                total += f.Length;
            else if (file is DirectoryInfo d && !d.Attributes.HasFlag(FileAttributes.ReparsePoint))
                total += SizeOf(d.FullName, skip);
        }
        return total;
    }

    private DirRegistry Load()
    {
        string path = Path.Combine(MountPoint, RegistryFile);
        if (!File.Exists(path))
            return new DirRegistry();
        return JsonSerializer.Deserialize(File.ReadAllBytes(path), DirRegistryJson.Default.DirRegistry) ?? new DirRegistry();
    }

    private void Save(DirRegistry registry) =>
        AtomicFile.Write(Path.Combine(MountPoint, RegistryFile), JsonSerializer.SerializeToUtf8Bytes(registry, DirRegistryJson.Default.DirRegistry));
}

internal sealed class DirRegistry
{
    public Dictionary<string, DirDataset> Datasets { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, DirSnapshot> Snapshots { get; set; } = new(StringComparer.Ordinal);
    public ulong Counter { get; set; }
}

internal sealed class DirDataset
{
    public DateTimeOffset Created { get; set; }
    public string? Origin { get; set; }
}

internal sealed class DirSnapshot
{
    public DateTimeOffset Created { get; set; }
    public ulong Order { get; set; }
}

[JsonSerializable(typeof(DirRegistry))]
internal sealed partial class DirRegistryJson : JsonSerializerContext;
