using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>Namespaces and bind mounts (setns(2), unshare(2), mount(2)).</summary>
public static unsafe partial class Libc
{
    public const int CloneNewNet = 0x40000000;
    public const ulong MsRdOnly = 0x1;
    public const ulong MsNoSuid = 0x2;
    public const ulong MsNoDev = 0x4;
    public const ulong MsNoExec = 0x8;
    public const ulong MsRemount = 0x20;
    public const ulong MsBind = 0x1000;
    public const ulong MsPrivate = 0x40000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fileSystemType, ulong flags, void* data);
}
