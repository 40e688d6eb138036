using System.Formats.Tar;
using Solstice.Linux.Interop;

namespace Solstice.Images.Create;

/// <summary>
/// Writes a directory tree as a tar stream that depends only on the tree: entries in ordinal name
/// order, "./"-relative names, numeric owners only (no user or group names), mtime to the second
/// with atime and ctime set to it, hard links as link entries to the first name seen. Sockets and
/// device nodes are left out (images may not carry devices); extended attributes are not kept.
/// </summary>
public static class DeterministicTar
{
    private const uint TypeMask = 0xF000;
    private const uint Directory = 0x4000;
    private const uint Regular = 0x8000;
    private const uint Symlink = 0xA000;
    private const uint Fifo = 0x1000;

    /// <summary>Writes root's tree; returns the number of entries and the paths left out.</summary>
    public static (int Entries, List<string> Skipped) Write(string root, Stream output)
    {
        var skipped = new List<string>();
        var links = new Dictionary<(uint, uint, ulong), string>();
        int count = 0;
        using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        Walk(root, "./");
        return (count, skipped);

        void Walk(string directory, string name)
        {
            var info = FileStat.Lstat(directory);
            writer.WriteEntry(Entry(TarEntryType.Directory, name, info));
            count++;
            foreach (string child in System.IO.Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                string childName = name + Path.GetFileName(child);
                var stat = FileStat.Lstat(child);
                switch (stat.Mode & TypeMask)
                {
                    case Directory:
                        Walk(child, childName + "/");
                        continue;
                    case Regular when stat.Links > 1 && links.TryGetValue((stat.DeviceMajor, stat.DeviceMinor, stat.Inode), out var first):
                        var link = Entry(TarEntryType.HardLink, childName, stat);
                        link.LinkName = first;
                        writer.WriteEntry(link);
                        break;
                    case Regular:
                        if (stat.Links > 1)
                            links[(stat.DeviceMajor, stat.DeviceMinor, stat.Inode)] = childName;
                        var file = Entry(TarEntryType.RegularFile, childName, stat);
                        using (var data = new FileStream(child, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
                        {
                            file.DataStream = data;
                            writer.WriteEntry(file);
                        }
                        break;
                    case Symlink:
                        var symlink = Entry(TarEntryType.SymbolicLink, childName, stat);
                        symlink.LinkName = new FileInfo(child).LinkTarget ?? "";
                        writer.WriteEntry(symlink);
                        break;
                    case Fifo:
                        writer.WriteEntry(Entry(TarEntryType.Fifo, childName, stat));
                        break;
                    default:
                        skipped.Add(childName);
                        continue;
                }
                count++;
            }
        }
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, FileStat.Info stat)
    {
        var mtime = DateTimeOffset.FromUnixTimeSeconds(stat.MtimeSeconds);
        return new GnuTarEntry(type, name)
        {
            Mode = (UnixFileMode)(stat.Mode & 0xFFF),
            Uid = (int)stat.Uid,
            Gid = (int)stat.Gid,
            ModificationTime = mtime,
            AccessTime = mtime,
            ChangeTime = mtime,
        };
    }
}
