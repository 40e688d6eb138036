using Solstice.Linux.Interop;

namespace Solstice.Linux.Netlink;

/// <summary>A netlink request the kernel refused: the operation as Solstice described it, errno and the kernel's extended message.</summary>
public sealed class NetlinkException(string operation, int errno, string? kernelMessage)
    : IOException($"{operation}: {Libc.Describe(errno)}{(kernelMessage is null ? "" : $" ({kernelMessage})")}")
{
    public string Operation { get; } = operation;

    public int Errno { get; } = errno;

    public string? KernelMessage { get; } = kernelMessage;
}
