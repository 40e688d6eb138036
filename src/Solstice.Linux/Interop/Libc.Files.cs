using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>*at(2) calls and openat2(2), for writing inside a directory tree without following links out of it.</summary>
public static unsafe partial class Libc
{
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveInRoot = 0x10;
    private const long SysOpenAt2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    // glibc 2.36 has no openat2 wrapper; the syscall number is 437 on every architecture.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long SyscallOpenAt2(long number, int dirFd, string path, OpenHow* how, nuint size);

    public static int OpenAt2(int dirFd, string path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Mode = 0, Resolve = resolve };
        return (int)SyscallOpenAt2(SysOpenAt2, dirFd, path, &how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirFd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);
}
