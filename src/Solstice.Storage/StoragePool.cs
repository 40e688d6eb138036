using Solstice.Core;
using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.Storage.Drivers.Btrfs;

namespace Solstice.Storage;

public enum DatasetType { Filesystem, Snapshot }

/// <summary>One row of `solstice dataset list`, sizes in bytes.</summary>
public sealed record DatasetRow(
    string Name, DatasetType Type, long Used, long? Available, long Referenced, string? MountPoint,
    long? Quota, DateTimeOffset Creation, string? Origin);

/// <summary>
/// The policy layer over a driver: zfs names, zfs's preconditions and messages, and the
/// guarantee that a failed operation leaves nothing behind. Never branches on the driver type,
/// only on its capabilities.
/// </summary>
public sealed class StoragePool(string name, IStorageDriver driver)
{
    public string Name { get; } = name;

    public IStorageDriver Driver { get; } = driver;

    public string MountPoint => Driver.MountPoint;

    public string PathOf(DatasetName dataset) => Driver.PathOf(Own(dataset).Relative);

    /// <summary>The dataset as an OCI runtime should see it (IStorageDriver.RuntimePathOf): root-only, setuid honoured.</summary>
    public string RuntimePathOf(DatasetName dataset) => Driver.RuntimePathOf(Own(dataset).Relative);

    public bool Exists(DatasetName dataset) =>
        dataset.IsSnapshot
            ? Driver.Exists(dataset.Relative) && Driver.SnapshotExists(dataset.Relative, dataset.Snapshot!)
            : Driver.Exists(Own(dataset).Relative);

    public IReadOnlyList<DatasetRow> List(DatasetName? root, bool recursive, bool filesystems, bool snapshots)
    {
        var start = root ?? Root;
        RequireDataset(start, "open");
        var rows = new List<DatasetRow>();
        Walk(start.Relative, depth: 0);
        return rows;

        void Walk(string relative, int depth)
        {
            var dataset = Root.Child(relative);
            if (relative.Length == 0)
                dataset = Root;
            if (filesystems)
                rows.Add(Describe(dataset));
            if (snapshots)
            {
                foreach (var snapshot in Driver.ListSnapshots(relative))
                    rows.Add(DescribeSnapshot(dataset, snapshot));
            }
            if (recursive)
            {
                foreach (string child in Driver.ListChildren(relative))
                    Walk(child, depth + 1);
            }
        }
    }

    public DatasetRow Describe(DatasetName dataset)
    {
        if (dataset.IsSnapshot)
        {
            var snapshot = Driver.ListSnapshots(dataset.Relative).FirstOrDefault(s => s.Name == dataset.Snapshot)
                ?? throw DoesNotExist(dataset, "open");
            return DescribeSnapshot(dataset.WithoutSnapshot, snapshot);
        }
        RequireDataset(dataset, "open");
        var usage = Driver.Usage(dataset.Relative);
        long available = Driver.Available();
        if (usage.Quota is { } quota)
            available = Math.Max(0, Math.Min(available, quota - usage.Referenced));
        return new DatasetRow(dataset.Dataset, DatasetType.Filesystem, usage.Used, available, usage.Referenced,
            Driver.PathOf(dataset.Relative), usage.Quota, Driver.CreatedAt(dataset.Relative), OriginName(Driver.OriginOf(dataset.Relative)));
    }

    private string? OriginName(string? origin) =>
        origin is null ? null : origin.StartsWith('@') ? Name + origin : $"{Name}/{origin}";

    private DatasetRow DescribeSnapshot(DatasetName dataset, SnapshotEntry snapshot)
    {
        long used = Driver.SnapshotUsed(dataset.Relative, snapshot.Name);
        return new DatasetRow($"{dataset.Dataset}@{snapshot.Name}", DatasetType.Snapshot, used, null, used, null, null, snapshot.Created, null);
    }

    public void Create(DatasetName dataset, bool createParents = false, long? quota = null)
    {
        Own(dataset);
        if (dataset.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create '{dataset}': snapshot delimiter '@' is not expected here");
        if (Driver.Exists(dataset.Relative))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"cannot create '{dataset}': dataset already exists");
        if (quota is not null && !Driver.Info.Quotas)
            throw NoQuotas(dataset);
        using var revert = new Reverter();
        var parent = dataset.Parent!;
        if (!Driver.Exists(parent.Relative))
        {
            if (!createParents)
                throw new SolsticeException(ErrorCode.NotFound, $"cannot create '{dataset}': parent does not exist");
            Create(parent, createParents: true);
            revert.Add("destroy parent", () => Driver.Destroy(parent.Relative));
        }
        Backend(dataset, "create", () => Driver.Create(dataset.Relative));
        revert.Add("destroy dataset", () => Driver.Destroy(dataset.Relative));
        if (quota is not null)
            Backend(dataset, "set quota on", () => Driver.SetQuota(dataset.Relative, quota));
        revert.Success();
    }

    public void Snapshot(DatasetName snapshot)
    {
        Own(snapshot);
        if (!snapshot.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create snapshot '{snapshot}': missing '@' delimiter in snapshot name");
        RequireDataset(snapshot.WithoutSnapshot, "open");
        if (Exists(snapshot))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"cannot create snapshot '{snapshot}': dataset already exists");
        Backend(snapshot, "create snapshot", () => Driver.Snapshot(snapshot.Relative, snapshot.Snapshot!));
    }

    public void Rollback(DatasetName snapshot, bool destroyNewer)
    {
        Own(snapshot);
        if (!snapshot.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot rollback '{snapshot}': not a snapshot");
        if (!Exists(snapshot))
            throw DoesNotExist(snapshot, "open");
        var all = Driver.ListSnapshots(snapshot.Relative);
        var target = all.First(s => s.Name == snapshot.Snapshot);
        var newer = all.Where(s => s.Order > target.Order || s.Order == target.Order && string.CompareOrdinal(s.Name, target.Name) > 0).ToList();
        if (newer.Count > 0 && !destroyNewer)
        {
            throw new SolsticeException(ErrorCode.Conflict,
                $"cannot rollback to '{snapshot}': more recent snapshots or bookmarks exist\n" +
                "use '-r' to force deletion of the following snapshots and bookmarks:\n" +
                string.Join('\n', newer.Select(s => $"{snapshot.Dataset}@{s.Name}")));
        }
        foreach (var s in newer)
            Backend(snapshot, "destroy newer snapshot of", () => Driver.DestroySnapshot(snapshot.Relative, s.Name));
        Backend(snapshot, "rollback to", () => Driver.Rollback(snapshot.Relative, snapshot.Snapshot!));
    }

    public void Clone(DatasetName snapshot, DatasetName target)
    {
        Own(snapshot);
        Own(target);
        if (!snapshot.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot clone '{snapshot}': not a snapshot");
        if (target.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create '{target}': snapshot delimiter '@' is not expected here");
        if (!Exists(snapshot))
            throw DoesNotExist(snapshot, "open");
        if (Driver.Exists(target.Relative))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"cannot create '{target}': dataset already exists");
        if (!Driver.Exists(target.Parent!.Relative))
            throw new SolsticeException(ErrorCode.NotFound, $"cannot create '{target}': parent does not exist");
        Backend(target, "create", () => Driver.Clone(snapshot.Relative, snapshot.Snapshot!, target.Relative));
    }

    public void Destroy(DatasetName dataset, bool recursive)
    {
        Own(dataset);
        if (dataset.IsSnapshot)
        {
            if (!Exists(dataset))
                throw DoesNotExist(dataset, "destroy");
            Backend(dataset, "destroy", () => Driver.DestroySnapshot(dataset.Relative, dataset.Snapshot!));
            return;
        }
        if (dataset.IsPoolRoot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot destroy '{dataset}': operation does not apply to pools\nuse 'solstice pool export' to remove the pool");
        RequireDataset(dataset, "destroy");
        var dependents = List(dataset, recursive: true, filesystems: true, snapshots: true).Skip(1).Select(r => r.Name).ToList();
        if (dependents.Count > 0 && !recursive)
        {
            throw new SolsticeException(ErrorCode.Conflict,
                $"cannot destroy '{dataset}': filesystem has children\nuse '-r' to destroy the following datasets:\n" + string.Join('\n', dependents));
        }
        DestroyTree(dataset.Relative);
    }

    private void DestroyTree(string relative)
    {
        foreach (string child in Driver.ListChildren(relative))
            DestroyTree(child);
        foreach (var snapshot in Driver.ListSnapshots(relative))
            Backend(Root.Child(relative), "destroy", () => Driver.DestroySnapshot(relative, snapshot.Name));
        Backend(Root.Child(relative), "destroy", () => Driver.Destroy(relative));
    }

    public void SetQuota(DatasetName dataset, long? bytes)
    {
        Own(dataset);
        if (dataset.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot set property for '{dataset}': this property can not be modified for snapshots");
        RequireDataset(dataset, "open");
        if (!Driver.Info.Quotas)
            throw NoQuotas(dataset);
        Backend(dataset, "set quota on", () => Driver.SetQuota(dataset.Relative, bytes));
    }

    public void Send(DatasetName snapshot, string? incrementalFrom, Stream output)
    {
        Own(snapshot);
        if (!snapshot.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot send '{snapshot}': operation only applies to snapshots");
        if (!Exists(snapshot))
            throw DoesNotExist(snapshot, "open");
        string? parent = null;
        if (incrementalFrom is not null)
        {
            parent = incrementalFrom.StartsWith('@') ? incrementalFrom[1..] : DatasetName.Parse(incrementalFrom).Snapshot;
            var parentName = snapshot with { Snapshot = parent };
            if (incrementalFrom.Contains('/') && DatasetName.Parse(incrementalFrom).Dataset != snapshot.Dataset)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot send '{snapshot}': incremental source must be in same filesystem");
            if (parent is null || !Exists(parentName))
                throw DoesNotExist(parentName, "open");
            if (!Driver.Info.IncrementalSend)
                throw new SolsticeException(ErrorCode.NotSupported, $"cannot send '{snapshot}': the {Driver.Info.Name} driver has no incremental streams");
        }
        Backend(snapshot, "send", () => Driver.Send(snapshot.Relative, snapshot.Snapshot!, parent, output));
    }

    /// <summary>Receives into dataset: a full stream creates it, an incremental one advances it.</summary>
    public DatasetName Receive(DatasetName dataset, Stream input)
    {
        Own(dataset);
        if (dataset.IsSnapshot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot receive into '{dataset}': give a dataset, the snapshot name comes from the stream");
        if (dataset.IsPoolRoot)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot receive into '{dataset}': the pool root can't be replaced");
        if (!Driver.Exists(dataset.Parent!.Relative))
            throw new SolsticeException(ErrorCode.NotFound, $"cannot receive new filesystem stream: parent of '{dataset}' does not exist");
        try
        {
            string snapshot = Driver.Receive(dataset.Relative, input);
            return dataset with { Snapshot = snapshot };
        }
        catch (StreamTargetExistsException ex)
        {
            throw new SolsticeException(ErrorCode.AlreadyExists, ex.Snapshot is null
                ? $"cannot receive new filesystem stream: destination '{dataset}' exists"
                : $"cannot receive incremental stream: destination snapshot '{dataset}@{ex.Snapshot}' exists");
        }
        catch (InvalidDataException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot receive into '{dataset}': {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or SyscallException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"cannot receive into '{dataset}': {Reason(ex)}", ex);
        }
    }

    public DatasetName Root => new(Name, "", null);

    private DatasetName Own(DatasetName dataset)
    {
        if (dataset.Pool != Name)
            throw new SolsticeException(ErrorCode.NotFound, $"cannot open '{dataset}': no such pool '{dataset.Pool}'");
        return dataset;
    }

    private void RequireDataset(DatasetName dataset, string verb)
    {
        Own(dataset);
        if (!Driver.Exists(dataset.Relative))
            throw DoesNotExist(dataset, verb);
    }

    private static SolsticeException DoesNotExist(DatasetName dataset, string verb) =>
        new(ErrorCode.NotFound, $"cannot {verb} '{dataset}': dataset does not exist");

    private SolsticeException NoQuotas(DatasetName dataset) =>
        new(ErrorCode.NotSupported, $"cannot set quota on '{dataset}': the {Driver.Info.Name} storage driver has no quotas");

    private static void Backend(DatasetName dataset, string verb, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var code = ex is NotSupportedException ? ErrorCode.NotSupported
                : ex is SyscallException { Errno: Errno.ENOSPC or Errno.EDQUOT } ? ErrorCode.QuotaExceeded
                : ErrorCode.BackendFailed;
            throw new SolsticeException(code, $"cannot {verb} '{dataset}': {Reason(ex)}", ex);
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        SyscallException { Errno: Errno.ENOSPC } => "out of space",
        SyscallException { Errno: Errno.EDQUOT } => "quota exceeded",
        SyscallException s => Libc.Describe(s.Errno),
        _ when ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) => "out of space",
        _ => ex.Message,
    };
}
