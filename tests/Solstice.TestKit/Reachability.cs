namespace Solstice.TestKit;

/// <summary>How network tests judge reachability on a shared, loaded machine.</summary>
public static class Reachability
{
    /// <summary>
    /// Expected reachability gets up to three pings (a loaded machine can stall the first ARP
    /// exchange past a ping's timeout); expected isolation is asserted with a single ping instead.
    /// </summary>
    public static bool Reaches(Func<bool> ping)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (ping())
                return true;
        }
        return false;
    }
}
