using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>getrlimit(2).</summary>
public static unsafe partial class Libc
{
    public const int RlimitNoFile = 7;
    public const int RlimitMemlock = 8;
    public const ulong RlimInfinity = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    private struct RlimitBuffer
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimitNative(int resource, RlimitBuffer* limit);

    /// <summary>The calling process's hard limit for resource; RlimInfinity when unlimited.</summary>
    public static ulong GetHardRlimit(int resource)
    {
        RlimitBuffer buffer;
        if (GetRlimitNative(resource, &buffer) < 0)
            throw SyscallException.Last($"getrlimit {resource}");
        return buffer.Maximum;
    }
}
