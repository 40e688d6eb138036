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

    /// <summary>The inode number of what path names, following symlinks (a /proc ns link gives the namespace's); null when it cannot be stat'ed.</summary>
    public static ulong? TargetInode(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(Libc.AtFdCwd, path, 0, StatxIno, buffer) < 0)
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

    /// <summary>lstat(2) fields for archiving a file: type and mode, owner, size, mtime, identity, device numbers.</summary>
    public readonly record struct Info(uint Mode, uint Uid, uint Gid, long Size, long MtimeSeconds, uint MtimeNanoseconds,
        ulong Inode, uint Links, uint DeviceMajor, uint DeviceMinor, uint RdevMajor, uint RdevMinor);

    /// <summary>Stats path itself (a final symlink is not followed); throws SyscallException on failure.</summary>
    public static Info Lstat(string path)
    {
        const uint basicStats = 0x7ff;
        byte* b = stackalloc byte[256];
        if (Statx(Libc.AtFdCwd, path, AtSymlinkNoFollow, basicStats, b) < 0)
            throw SyscallException.Last($"stat {path}");
        return new Info(*(ushort*)(b + 28), *(uint*)(b + 20), *(uint*)(b + 24), *(long*)(b + 40), *(long*)(b + 112), *(uint*)(b + 120),
            *(ulong*)(b + 32), *(uint*)(b + 16), *(uint*)(b + 136), *(uint*)(b + 140), *(uint*)(b + 128), *(uint*)(b + 132));
    }

    /// <summary>
    /// The inode change time of an open file, (seconds, nanoseconds): any write, truncate, chmod or
    /// utimes moves it, so an unchanged value means unchanged contents.
    /// </summary>
    public static (long Seconds, uint Nanoseconds) ChangeTime(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        const int atEmptyPath = 0x1000;
        const uint statxCtime = 0x80;
        byte* b = stackalloc byte[256];
        if (Statx((int)file.DangerousGetHandle(), "", atEmptyPath, statxCtime, b) < 0)
            throw SyscallException.Last("stat an open file");
        return (*(long*)(b + 96), *(uint*)(b + 104));
    }

    /// <summary>Which file an open fd is: (device major, minor, inode).</summary>
    public static (uint Major, uint Minor, ulong Inode) Identity(int fd)
    {
        const int atEmptyPath = 0x1000;
        byte* b = stackalloc byte[256];
        if (Statx(fd, "", atEmptyPath, StatxIno, b) < 0)
            throw SyscallException.Last("stat an open file");
        return (*(uint*)(b + 136), *(uint*)(b + 140), *(ulong*)(b + 32));
    }

    /// <summary>Which file is at path now (a final symlink is not followed), or null when there is none.</summary>
    public static (uint Major, uint Minor, ulong Inode)? Identity(string path)
    {
        byte* b = stackalloc byte[256];
        if (Statx(Libc.AtFdCwd, path, AtSymlinkNoFollow, StatxIno, b) < 0)
            return null;
        return (*(uint*)(b + 136), *(uint*)(b + 140), *(ulong*)(b + 32));
    }

    /// <summary>True when path is the root of a btrfs subvolume (its root inode is always 256).</summary>
    public static bool IsSubvolumeRoot(string path) => Inode(path) == Btrfs.SubvolumeRootInode;
}
