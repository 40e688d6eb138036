using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>prlimit(2) on the daemon itself: its limits are the ceiling zone inits inherit.</summary>
public static unsafe partial class Rlimits
{
    public const int MemLock = 8;
    public const int NoFile = 7;
    public const ulong Infinity = ulong.MaxValue;

    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int Prlimit(int pid, int resource, ulong* newLimits, ulong* oldLimits);

    public static bool TrySet(int resource, ulong soft, ulong hard)
    {
        ulong* limits = stackalloc ulong[2];
        limits[0] = soft;
        limits[1] = hard;
        return Prlimit(0, resource, limits, null) == 0;
    }

    /// <summary>The current hard limit of resource for this process.</summary>
    public static ulong Hard(int resource)
    {
        ulong* limits = stackalloc ulong[2];
        return Prlimit(0, resource, null, limits) == 0 ? limits[1] : Infinity;
    }
}
