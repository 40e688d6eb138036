using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>getpriority(2) and setpriority(2). On Linux PRIO_PROCESS with who 0 names the calling thread.</summary>
public static partial class Libc
{
    public const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    public static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, int who, int prio);
}
