namespace Solstice.Observability;

/// <summary>Which cgroup hierarchy a host runs: per-controller v1 mounts (with or without a v2 "unified" mount beside them) or one v2 tree.</summary>
public enum CgroupVersion
{
    V1,
    V2,
}

/// <summary>
/// Where a zone's cgroup files are. Zones live at &lt;controller&gt;/solstice/&lt;uuid&gt; on a v1 or
/// hybrid host (runc's cgroupsPath /solstice/&lt;uuid&gt;, RuntimeSpecBuilder) and at
/// solstice/&lt;uuid&gt; on a pure v2 host; an HVM VM's QEMU process is placed in the same cgroup,
/// so every figure here reads the same for both. <see cref="Root"/> is a parameter so tests can
/// point it at captured files.
/// </summary>
public sealed class CgroupLayout(string root, CgroupVersion version)
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>The parent of every zone's cgroup, relative to a controller (v1) or the root (v2).</summary>
    public const string ZonesParent = "solstice";

    public string Root { get; } = root;

    public CgroupVersion Version { get; } = version;

    /// <summary>The host's layout: v2 when the root itself is a cgroup2 mount (it has cgroup.controllers).</summary>
    public static CgroupLayout Detect(string root = DefaultRoot) =>
        new(root, File.Exists(Path.Combine(root, "cgroup.controllers")) ? CgroupVersion.V2 : CgroupVersion.V1);

    /// <summary>The directory of a cgroup (relative path such as "solstice/&lt;uuid&gt;") for a v1 controller; on v2 the controller is ignored.</summary>
    public string Directory(string controller, string relative) =>
        Version == CgroupVersion.V2 ? Path.Combine(Root, relative) : Path.Combine(Root, controller, relative);

    public static string ZoneRelative(string uuid) => $"{ZonesParent}/{uuid}";

    /// <summary>
    /// The uuids of the zones that have a cgroup now (running zones and VMs). Read from the memory
    /// controller's tree on v1 (every zone has one), the root tree on v2. Empty when there is none.
    /// </summary>
    public IReadOnlyList<string> ZoneUuids()
    {
        string parent = Directory("memory", ZonesParent);
        try
        {
            var uuids = new List<string>();
            foreach (string dir in System.IO.Directory.EnumerateDirectories(parent))
            {
                string name = Path.GetFileName(dir);
                if (name.Length == 36 && name[8] == '-')
                    uuids.Add(name);
            }
            uuids.Sort(StringComparer.Ordinal);
            return uuids;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
