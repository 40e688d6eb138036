using Solstice.Linux;
using Solstice.Linux.Interop;
using BtrfsIoctl = Solstice.Linux.Interop.Btrfs;

namespace Solstice.Storage.Drivers.Btrfs;

public sealed partial class BtrfsDriver
{
    public IReadOnlyList<SnapshotEntry> ListSnapshots(string dataset)
    {
        string dir = Path.GetDirectoryName(SnapshotPath(dataset, "x"))!;
        string prefix = LeafOf(dataset) + "@";
        if (dataset.Length == 0)
            prefix = "@";
        if (!Directory.Exists(dir))
            return [];
        var snapshots = new List<SnapshotEntry>();
        foreach (string entry in Directory.EnumerateDirectories(dir, prefix + "*"))
        {
            var info = BtrfsIoctl.GetSubvolumeInfo(entry);
            snapshots.Add(new SnapshotEntry(Path.GetFileName(entry)[prefix.Length..], info.Created, info.CreatedTransid));
        }
        snapshots.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : string.CompareOrdinal(a.Name, b.Name));
        return snapshots;
    }

    public bool SnapshotExists(string dataset, string snapshot) => Directory.Exists(SnapshotPath(dataset, snapshot));

    public void Snapshot(string dataset, string snapshot)
    {
        string target = SnapshotPath(dataset, snapshot);
        string dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir, DatasetModes.Private);
        BtrfsIoctl.Snapshot(PathOf(dataset), dir, Path.GetFileName(target), readOnly: true);
    }

    public void DestroySnapshot(string dataset, string snapshot)
    {
        string path = SnapshotPath(dataset, snapshot);
        BtrfsIoctl.DestroySubvolume(Path.GetDirectoryName(path)!, Path.GetFileName(path));
    }

    public void Clone(string dataset, string snapshot, string target)
    {
        BtrfsIoctl.Snapshot(SnapshotPath(dataset, snapshot), ParentDir(target), LeafOf(target), readOnly: false);
        DatasetModes.Confine(PathOf(target));
    }

    public string? OriginOf(string dataset)
    {
        if (dataset.Length == 0)
            return null;
        var info = BtrfsIoctl.GetSubvolumeInfo(PathOf(dataset));
        if (info.ParentUuid == Guid.Empty)
            return null;
        string root = Path.Combine(MountPoint, SnapshotDir);
        if (!Directory.Exists(root))
            return null;
        foreach (string entry in Directory.EnumerateDirectories(root, "*@*", SearchOption.AllDirectories))
        {
            if (BtrfsIoctl.GetSubvolumeInfo(entry).Uuid == info.ParentUuid)
                return Path.GetRelativePath(root, entry);
        }
        return null;
    }

    public void Rollback(string dataset, string snapshot) => ReplaceWith(dataset, SnapshotPath(dataset, snapshot));

    /// <summary>
    /// Swaps the dataset for a writable snapshot of source in one renameat2(RENAME_EXCHANGE), so a
    /// crash leaves either the old or the new tree at the path, never neither. Child datasets are
    /// then moved across (a snapshot holds an empty directory where a nested subvolume was) and
    /// the quota is carried over, since qgroup limits belong to the old subvolume id.
    /// </summary>
    private void ReplaceWith(string dataset, string source)
    {
        string path = PathOf(dataset);
        long? quota = Qgroup(path)?.ReferencedLimit;
        string staged = NewWorkPath("swap");
        BtrfsIoctl.Snapshot(source, Path.GetDirectoryName(staged)!, Path.GetFileName(staged), readOnly: false);
        if (Libc.RenameAt2(Libc.AtFdCwd, staged, Libc.AtFdCwd, path, Libc.RenameExchange) < 0)
        {
            var error = SyscallException.Last($"swap {path}");
            BtrfsIoctl.DestroySubvolume(Path.GetDirectoryName(staged)!, Path.GetFileName(staged));
            throw error;
        }
        foreach (string entry in Directory.EnumerateDirectories(staged))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('.') || !FileStat.IsSubvolumeRoot(entry))
                continue;
            string destination = Path.Combine(path, name);
            if (Directory.Exists(destination) && !FileStat.IsSubvolumeRoot(destination))
                Directory.Delete(destination, recursive: true);
            Directory.Move(entry, destination);
        }
        if (quota is not null)
            BtrfsIoctl.SetReferencedLimit(path, quota);
        DatasetModes.Confine(path);
        BtrfsIoctl.DestroySubvolume(Path.GetDirectoryName(staged)!, Path.GetFileName(staged));
        AtomicFile.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}
