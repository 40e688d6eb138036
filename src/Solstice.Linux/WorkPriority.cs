using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// The daemon's CPU weights (docs/benchmarks.md, "Concurrency"): requests (list, get, the
/// socket and metadata servers) run <see cref="RequestBoost"/> nice levels above the daemon's
/// starting nice; lifecycle work that brings zones up (create, start, reboot, update, recovery)
/// runs at the starting nice, and so do the children it spawns (runc, btrfs, ip, nft) and the
/// zones runc starts, which inherit the nice of the thread that spawned them; teardown (stop,
/// delete, kill, clean-up after a zone exits) runs <see cref="TeardownPenalty"/> below that.
/// On 2 cores under 20 concurrent lifecycle verbs, reads then wait for one time slice, not for
/// every runc ahead of them, and a create is not starved by the teardown around it.
/// Linux's nice is per thread; threads inherit their creator's. Without CAP_SYS_NICE nothing changes.
/// </summary>
public static class WorkPriority
{
    /// <summary>Nice levels requests run above lifecycle work: weight 3121 against 1024, about 3 to 1.</summary>
    public const int RequestBoost = 5;

    private static int s_base;
    private static volatile bool s_boosted;

    [ThreadStatic]
    private static bool t_request;

    /// <summary>Whether <see cref="BoostRequests"/> took effect.</summary>
    public static bool Boosted => s_boosted;

    /// <summary>
    /// Raises the calling thread (call it first thing in Main, so threads made later inherit it)
    /// to the request weight; the current nice becomes the lifecycle weight. False without permission.
    /// </summary>
    public static bool BoostRequests()
    {
        Marshal.SetLastPInvokeError(0);
        int current = Libc.GetPriority(Libc.PrioProcess, 0);
        if (current == -1 && Marshal.GetLastPInvokeError() != 0)
            return false;
        s_base = current;
        if (!Set(current - RequestBoost))
            return false;
        s_boosted = true;
        t_request = true;
        return true;
    }

    /// <summary>Puts the calling thread at the request weight (a pool thread created by a lifecycle thread starts below it).</summary>
    public static void EnsureRequest()
    {
        if (s_boosted && !t_request && Set(s_base - RequestBoost))
            t_request = true;
    }

    /// <summary>Nice levels teardown (stop, delete, kill, exit clean-up) runs below create and start: weight 335 against 1024.</summary>
    public const int TeardownPenalty = 5;

    /// <summary>
    /// Runs <paramref name="work"/> at the lifecycle weight, or with <paramref name="teardown"/>
    /// below it (no zone is ever spawned by teardown, so none inherits that weight), then returns
    /// the thread to the request weight.
    /// </summary>
    public static T AsLifecycle<T>(Func<T> work, bool teardown = false)
    {
        if (!s_boosted)
            return work();
        Set(teardown ? s_base + TeardownPenalty : s_base);
        t_request = false;
        try
        {
            return work();
        }
        finally
        {
            EnsureRequest();
        }
    }

    public static void AsLifecycle(Action work, bool teardown = false) => AsLifecycle(() =>
    {
        work();
        return true;
    }, teardown);

    private static bool Set(int nice) => Libc.SetPriority(Libc.PrioProcess, 0, Math.Clamp(nice, -20, 19)) == 0;
}
