using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>Raw non-blocking I/O on descriptors .NET streams would block a thread on (pty masters).</summary>
public static unsafe partial class Fcntl
{
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;
    private const int EAgain = 11;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlInt(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadRaw(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteRaw(int fd, byte* buffer, nuint count);

    public static void SetNonBlocking(int fd)
    {
        int flags = FcntlInt(fd, FGetFl, 0);
        if (flags >= 0)
            FcntlInt(fd, FSetFl, flags | ONonBlock);
    }

    public static long Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
            return ReadRaw(fd, p, (nuint)buffer.Length);
    }

    public static long Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
            return WriteRaw(fd, p, (nuint)data.Length);
    }

    public static bool LastWasWouldBlock() => Marshal.GetLastPInvokeError() == EAgain;
}
