using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>A failed system call, with errno kept so callers can map it to a domain error.</summary>
public sealed class SyscallException(string operation, int errno)
    : IOException($"{operation}: {Libc.Describe(errno)}")
{
    public string Operation { get; } = operation;
    public int Errno { get; } = errno;

    public static SyscallException Last(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
