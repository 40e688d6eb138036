using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>
/// Reading and writing another process's memory (process_vm_readv(2)), openat2(2) with its
/// resolve flags on a path given as bytes, and fstatfs(2): what a seccomp supervisor needs to answer for a caller.
/// </summary>
public static unsafe partial class Libc
{
    public const int PageSize = 4096;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "process_vm_readv", SetLastError = true)]
    private static partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", EntryPoint = "process_vm_writev", SetLastError = true)]
    private static partial nint ProcessVmWritev(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallOpenAt2Bytes(long number, int dirFd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    public static partial int FStatFs(int fd, StatFsBuffer* buf);

    /// <summary>Copies up to destination.Length bytes from address in pid; returns the count read, -1 on error.</summary>
    public static int ReadProcessMemory(int pid, ulong address, Span<byte> destination)
    {
        fixed (byte* local = destination)
        {
            var l = new IoVec { Base = local, Length = (nuint)destination.Length };
            var r = new IoVec { Base = (void*)address, Length = (nuint)destination.Length };
            return (int)ProcessVmReadv(pid, &l, 1, &r, 1, 0);
        }
    }

    /// <summary>Copies source to address in pid, honouring the target's page protections; true when all of it was written.</summary>
    public static bool WriteProcessMemory(int pid, ulong address, ReadOnlySpan<byte> source)
    {
        fixed (byte* local = source)
        {
            var l = new IoVec { Base = local, Length = (nuint)source.Length };
            var r = new IoVec { Base = (void*)address, Length = (nuint)source.Length };
            return ProcessVmWritev(pid, &l, 1, &r, 1, 0) == source.Length;
        }
    }

    /// <summary>openat2(2) of a path given as bytes (a caller's, not necessarily UTF-8), NUL-terminated. Returns the descriptor or -1.</summary>
    public static int OpenAt2(int dirFd, ReadOnlySpan<byte> pathWithNul, ulong flags, ulong resolve)
    {
        if (pathWithNul.IndexOf((byte)0) < 0)
            throw new ArgumentException("the path must be NUL-terminated", nameof(pathWithNul));
        var how = new OpenHow { Flags = flags, Mode = 0, Resolve = resolve };
        fixed (byte* path = pathWithNul)
            return (int)SyscallOpenAt2Bytes(SysOpenAt2, dirFd, path, &how, (nuint)sizeof(OpenHow));
    }
}
