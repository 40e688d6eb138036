using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>One line of /proc/self/mountinfo, reduced to what Solstice needs.</summary>
public sealed record MountEntry(string MountPoint, string FileSystemType, string Source);

/// <summary>Reads the mount table and filesystem facts.</summary>
public static unsafe class Mounts
{
    public static IReadOnlyList<MountEntry> Read(string mountInfoPath = "/proc/self/mountinfo") =>
        Parse(File.ReadAllLines(mountInfoPath));

    /// <summary>Parses mountinfo lines (proc(5)): field 5 is the mount point, after " - " come type and source.</summary>
    public static IReadOnlyList<MountEntry> Parse(IEnumerable<string> lines)
    {
        var entries = new List<MountEntry>();
        foreach (string line in lines)
        {
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (fields.Length < 7 || separator < 6 || separator + 2 >= fields.Length)
                continue;
            entries.Add(new MountEntry(Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2])));
        }
        return entries;
    }

    public static MountEntry? Find(string mountPoint)
    {
        string full = Path.GetFullPath(mountPoint).TrimEnd('/');
        if (full.Length == 0)
            full = "/";
        return Read().LastOrDefault(m => m.MountPoint == full);
    }

    public static bool IsBtrfs(string path)
    {
        Libc.StatFsBuffer buffer;
        return Libc.StatFs(path, &buffer) == 0 && buffer.Type == Btrfs.SuperMagic;
    }

    /// <summary>Bytes available to unprivileged writers on the filesystem holding path.</summary>
    public static long Available(string path)
    {
        Libc.StatFsBuffer buffer;
        if (Libc.StatFs(path, &buffer) < 0)
            throw SyscallException.Last($"statfs {path}");
        return (long)buffer.BlocksAvailable * buffer.BlockSize;
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
