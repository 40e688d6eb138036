using Solstice.Core;

namespace Solstice.Network.Links;

/// <summary>
/// Brings the node's bridges up from its network config at start (idempotent). A physical tag's NIC
/// is enslaved to the tag's untagged bridge only when the tag says attach_uplink; tagged VLANs of a
/// physical tag need 802.1Q devices or a VLAN-filtering bridge and are created with the zones that
/// use them (ZoneNetwork), without an uplink when the kernel has neither.
/// </summary>
public sealed class NetworkRestorer(HostCommands commands)
{
    /// <summary>Creates missing bridges and attaches configured uplinks; returns the bridges of the config.</summary>
    public IReadOnlyList<string> Restore(NicTagConfig config)
    {
        var listed = commands.Host(["ip", "-o", "link", "show"]);
        HostCommands.Check(listed, "Failed to list links");
        var links = listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        var lines = new List<string>();
        var bridges = new List<string>();
        foreach (var tag in config.Tags)
        {
            string bridge = LinkNames.Bridge(tag.Name);
            bridges.Add(bridge);
            if (!links.Contains(bridge))
                lines.AddRange(ZoneNetwork.BridgeLines(bridge, tag.Mtu));
            else if (tag.Mtu is { } mtu)
                lines.Add($"link set {bridge} mtu {mtu}");
            if (tag.Kind == NicTagKind.Physical && tag.AttachUplink)
            {
                string uplink = tag.Link ?? ResolveByMac(tag.Mac!)
                    ?? throw new SolsticeException(ErrorCode.NotFound, $"nic tag {tag.Name}: no interface has mac {tag.Mac}");
                if (tag.Mtu is { } m)
                    lines.Add($"link set {uplink} mtu {m}");
                lines.Add($"link set {uplink} master {bridge} up");
            }
        }
        if (lines.Count > 0)
            commands.HostBatch(lines, "Failed to restore the node's bridges");
        return bridges;
    }

    /// <summary>
    /// Deletes the bridges of a tag that was removed: its own and, where each VLAN has a bridge of its
    /// own, those (sst&lt;tag&gt;.&lt;vlan&gt;). Zone ports still on them (only after delete -f) are
    /// detached with them; an uplink is released. Returns the bridges deleted.
    /// </summary>
    public IReadOnlyList<string> RemoveTag(string tag)
    {
        var listed = commands.Host(["ip", "-o", "link", "show", "type", "bridge"]);
        HostCommands.Check(listed, "Failed to list bridges");
        var bridges = listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0])
            .Where(name => name == LinkNames.Bridge(tag) || IsVlanBridge(name, tag))
            .ToList();
        if (bridges.Count > 0)
            commands.HostBatch(bridges.Select(b => $"link del {b}"), $"Failed to delete the bridges of nic tag {tag}");
        return bridges;
    }

    private static bool IsVlanBridge(string name, string tag)
    {
        int dot = name.LastIndexOf('.');
        return dot > 0 && int.TryParse(name.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int vlan)
            && vlan is >= 1 and <= 4094 && LinkNames.Bridge(tag, vlan) == name;
    }

    /// <summary>The interface with the mac, read from sysfs (the daemon's namespace).</summary>
    public static string? ResolveByMac(string mac, string sysClassNet = "/sys/class/net")
    {
        string wanted = NicSpec.NormalizeMac(mac);
        if (!Directory.Exists(sysClassNet))
            return null;
        foreach (string dir in Directory.EnumerateDirectories(sysClassNet))
        {
            string file = Path.Combine(dir, "address");
            if (File.Exists(file) && File.ReadAllText(file).Trim() == wanted)
                return Path.GetFileName(dir);
        }
        return null;
    }
}
