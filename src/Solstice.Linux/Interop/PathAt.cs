using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>
/// The *at(2) calls (fcntl.h, unistd.h, sys/stat.h) for building a tree below a directory fd
/// without following any symlink already in it. Each returns -1 and sets errno on failure.
/// </summary>
public static unsafe partial class PathAt
{
    public const int OWrOnly = 0x1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int ELOOP = 40;

    public const uint SIfMt = 0xF000;
    public const uint SIfDir = 0x4000;
    public const uint SIfLnk = 0xA000;

    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;

    /// <summary>struct timespec on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public static Timespec From(DateTimeOffset time)
        {
            long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
            if (rest < 0)
            {
                seconds--;
                rest += TimeSpan.TicksPerSecond;
            }
            return new Timespec { Seconds = seconds, Nanoseconds = rest * 100 };
        }
    }

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirFd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int newDirFd, string linkPath);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifoat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkfifoAt(int dirFd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirFd, string path, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(int dirFd, string path, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    public static partial int Futimens(int fd, Timespec* times);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirFd, string path, Timespec* times, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The st_mode of dirFd/path without following a final symlink, or null when it does not exist.</summary>
    public static uint? ModeOf(int dirFd, string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(dirFd, path, AtSymlinkNoFollow, StatxType | StatxMode, buffer) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT)
                return null;
            throw new SyscallException($"stat {path}", errno);
        }
        return *(ushort*)(buffer + 28);
    }

    /// <summary>Sets atime and mtime of an open fd.</summary>
    public static int SetTimes(int fd, DateTimeOffset mtime)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = times[1] = Timespec.From(mtime);
        return Futimens(fd, times);
    }

    /// <summary>Sets atime and mtime of dirFd/path itself, never of a symlink's target.</summary>
    public static int SetTimesNoFollow(int dirFd, string path, DateTimeOffset mtime)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = times[1] = Timespec.From(mtime);
        return UtimensAt(dirFd, path, times, AtSymlinkNoFollow);
    }
}
