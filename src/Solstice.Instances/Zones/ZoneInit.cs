namespace Solstice.Instances.Zones;

/// <summary>Which init an lx zone's image boots, found by resolving its init path inside the zone's root.</summary>
public static class ZoneInit
{
    private const int MaxLinks = 40;

    /// <summary>
    /// True when initPath, resolved inside root (symlinks followed as the zone would see them, never
    /// out of it), is systemd: a file named systemd (Debian's /sbin/init -> /lib/systemd/systemd).
    /// Only link targets are read, never file contents.
    /// </summary>
    public static bool IsSystemd(string root, string initPath) =>
        Resolve(root, initPath) is { } resolved && Path.GetFileName(resolved) == "systemd";

    /// <summary>The zone-side path initPath leads to, or null when it cannot be resolved.</summary>
    public static string? Resolve(string root, string initPath)
    {
        var pending = new Stack<string>(initPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            string host = Path.Combine(root, string.Join('/', resolved), part);
            // The link is read before anything else looks at the path: nothing may follow it on the host.
            if (new FileInfo(host).LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                    return null;
                if (target.StartsWith('/'))
                    resolved.Clear();
                foreach (string next in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    pending.Push(next);
                continue;
            }
            if (!File.Exists(host) && !Directory.Exists(host))
                return null;
            resolved.Add(part);
        }
        return "/" + string.Join('/', resolved);
    }
}
