using System.Security.Cryptography;
using System.Text;
using Solstice.Core;

namespace Solstice.Network.Links;

/// <summary>
/// Names of the node's links. Linux interface names hold at most 15 bytes. A nic tag's bridge is
/// <c>sst&lt;tag&gt;</c>, and with VLAN filtering unavailable each (tag, vlan) gets a bridge of its own,
/// <c>sst&lt;tag&gt;.&lt;vlan&gt;</c> (tag names never contain a dot, so the two forms cannot collide). A
/// name that would be too long uses a hash of the tag instead: <c>sst-&lt;hex&gt;[.&lt;vlan&gt;]</c> (tag
/// names never contain a dash either; '#' would start a comment in ip's batch mode).
/// </summary>
public static class LinkNames
{
    public const int MaxInterfaceName = 15;

    /// <summary>The bridge of a tag (vlan 0, or every vlan when the bridge filters VLANs itself).</summary>
    public static string Bridge(string tag, int vlan = 0)
    {
        NicTag.CheckName(tag);
        CheckVlan(vlan);
        string suffix = vlan == 0 ? "" : "." + vlan.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string name = "sst" + tag + suffix;
        if (name.Length <= MaxInterfaceName)
            return name;
        return "sst-" + Hash(tag, MaxInterfaceName - 4 - suffix.Length) + suffix;
    }

    /// <summary>
    /// The host side of a zone nic: z&lt;10 hex of SHA-256 of the uuid&gt;n&lt;index&gt; (at most 15 characters).
    /// Hashed, not a uuid prefix: uuids that share a prefix (sequential ones) must not collide.
    /// </summary>
    public static string HostLink(string vmUuid, int index)
    {
        if (index is < 0 or > 999)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"nic index {index} is out of range 0-999");
        string hex = vmUuid.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.Length < 8 || !hex.All(Uri.IsHexDigit))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{vmUuid}' is not a VM uuid");
        return $"z{Hash(hex, 10)}n{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public static void CheckVlan(int vlan)
    {
        if (vlan is < 0 or > 4094)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"vlan_id {vlan} is out of range 0-4094");
    }

    /// <summary>True for a valid Linux interface name.</summary>
    public static bool IsValidInterface(string name) =>
        name.Length is > 0 and <= MaxInterfaceName && name is not "." and not ".."
        && name.All(c => c > ' ' && c < 127 && c is not '/' and not ':' and not '"' and not '\\');

    private static string Hash(string text, int chars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..chars];
}
