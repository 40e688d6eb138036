using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>statx(2) for the two fields .NET does not expose: inode number and mount id.</summary>
public static unsafe partial class FileStat
{
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxIno = 0x100;
    private const uint StatxMntId = 0x1000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Returns the inode number, or null when the path does not exist.</summary>
    public static ulong? Inode(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(Libc.AtFdCwd, path, AtSymlinkNoFollow, StatxIno, buffer) < 0)
            return null;
        return *(ulong*)(buffer + 32);
    }

    public static ulong MountId(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(Libc.AtFdCwd, path, 0, StatxMntId, buffer) < 0)
            throw SyscallException.Last($"stat {path}");
        return *(ulong*)(buffer + 144);
    }

    /// <summary>True when path is the root of a btrfs subvolume (its root inode is always 256).</summary>
    public static bool IsSubvolumeRoot(string path) => Inode(path) == Btrfs.SubvolumeRootInode;
}
