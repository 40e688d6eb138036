using Microsoft.Win32.SafeHandles;

namespace Solstice.Linux.Interop;

/// <summary>
/// Inode attribute flags (chattr/lsattr) through FS_IOC_GETFLAGS and FS_IOC_SETFLAGS. The numbers
/// are from linux/fs.h; the kernel reads and writes an int although the macros name a long.
/// </summary>
public static unsafe class InodeFlags
{
    private const ulong IocGetFlags = 0x80086601;
    private const ulong IocSetFlags = 0x40086602;

    /// <summary>FS_NOCOW_FL, chattr +C: btrfs writes the file in place instead of copy-on-write.</summary>
    public const int NoCow = 0x00800000;

    public static int Get(SafeFileHandle file)
    {
        int flags;
        if (Libc.Ioctl((int)file.DangerousGetHandle(), IocGetFlags, &flags) < 0)
            throw SyscallException.Last("get inode flags");
        return flags;
    }

    /// <summary>
    /// Sets FS_NOCOW_FL on a file, which btrfs honours only while the file is empty. False when the
    /// filesystem has no such attribute (tmpfs, ext4, the dir driver's directories).
    /// </summary>
    public static bool TrySetNoCow(SafeFileHandle file)
    {
        int flags;
        int fd = (int)file.DangerousGetHandle();
        if (Libc.Ioctl(fd, IocGetFlags, &flags) < 0)
            return Unsupported("get inode flags");
        flags |= NoCow;
        if (Libc.Ioctl(fd, IocSetFlags, &flags) < 0)
            return Unsupported("set FS_NOCOW_FL");
        return (Get(file) & NoCow) != 0;
    }

    private static bool Unsupported(string operation)
    {
        var error = SyscallException.Last(operation);
        return error.Errno is Errno.ENOTTY or Errno.EOPNOTSUPP or Errno.EINVAL ? false : throw error;
    }
}
