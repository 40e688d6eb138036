using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Network.Links;

/// <summary>An address of a nic with its prefix length (10.0.0.5/24, fd00::5/64).</summary>
public readonly record struct IpCidr(IPAddress Address, int PrefixLength)
{
    public bool IsV6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public static IpCidr Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address) || parts[0].Contains('%', StringComparison.Ordinal))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{text}' is not an IP address");
        int max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int prefix = max;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{text}' has an invalid prefix length");
        return new IpCidr(address, prefix);
    }

    /// <summary>The prefix length of a dotted IPv4 netmask (255.255.255.0 → 24).</summary>
    public static int MaskLength(string netmask)
    {
        if (!IPAddress.TryParse(netmask, out var mask) || mask.AddressFamily != AddressFamily.InterNetwork)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{netmask}' is not a netmask");
        uint bits = BitConverter.ToUInt32(mask.GetAddressBytes().Reverse().ToArray());
        int length = System.Numerics.BitOperations.PopCount(bits);
        if (length != 32 && bits << length != 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{netmask}' is not a contiguous netmask");
        return length;
    }

    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A zone nic as the network layer needs it (smartos-interfaces.md §1.8): link-layer identity, where it
/// attaches (tag, vlan), the addresses configured inside the zone, and the anti-spoofing switches.
/// dhcp and addrconf entries of ips configure no address (the guest runs its own client).
/// </summary>
public sealed record NicSpec
{
    public required string Mac { get; init; }

    public required string NicTag { get; init; }

    public int VlanId { get; init; }

    /// <summary>The interface name in the zone, net&lt;index&gt; unless given.</summary>
    public string? Interface { get; init; }

    public IReadOnlyList<IpCidr> Ips { get; init; } = [];

    /// <summary>dhcp or addrconf were among ips.</summary>
    public bool Dhcp { get; init; }

    /// <summary>The nic has an IPv6 address, or may learn one (dhcp and addrconf are not told apart here).</summary>
    public bool UsesIpv6 => Dhcp || Ips.Any(ip => ip.IsV6);

    public IReadOnlyList<IPAddress> Gateways { get; init; } = [];

    public bool Primary { get; init; }

    public int? Mtu { get; init; }

    public IReadOnlyList<IpCidr> AllowedIps { get; init; } = [];

    public bool AllowIpSpoofing { get; init; }

    public bool AllowMacSpoofing { get; init; }

    public bool AllowDhcpSpoofing { get; init; }

    public bool AllowRestrictedTraffic { get; init; }

    /// <summary>Parses one element of a VM's nics array. Missing mac or nic_tag is InvalidArgument.</summary>
    public static NicSpec FromVmNic(JsonObject nic)
    {
        string mac = NormalizeMac(Text(nic, "mac") ?? throw Bad("a nic has no mac"));
        string tag = Text(nic, "nic_tag") ?? throw Bad($"nic {mac} has no nic_tag");
        var ips = new List<IpCidr>();
        bool dhcp = false;
        var ipTexts = Strings(nic, "ips");
        if (ipTexts.Count == 0 && Text(nic, "ip") is { } ip)
        {
            if (ip is "dhcp")
                dhcp = true;
            else
                ipTexts.Add(Text(nic, "netmask") is { } mask ? $"{ip}/{IpCidr.MaskLength(mask)}" : ip);
        }
        foreach (string text in ipTexts)
        {
            if (text is "dhcp" or "addrconf")
                dhcp = true;
            else
                ips.Add(IpCidr.Parse(text));
        }
        var gateways = Strings(nic, "gateways");
        if (gateways.Count == 0 && Text(nic, "gateway") is { } gw)
            gateways.Add(gw);
        int vlan = Int(nic, "vlan_id") ?? 0;
        LinkNames.CheckVlan(vlan);
        int? mtu = Int(nic, "mtu");
        if (mtu is < 576 or > 9000)
            throw Bad($"nic {mac}: mtu {mtu} is out of range 576-9000");
        bool dhcpSpoof = Bool(nic, "allow_dhcp_spoofing") || Bool(nic, "dhcp_server");
        return new NicSpec
        {
            Mac = mac,
            NicTag = tag,
            VlanId = vlan,
            Interface = Text(nic, "interface"),
            Ips = ips,
            Dhcp = dhcp,
            Gateways = gateways.Select(g => IPAddress.TryParse(g, out var a) ? a : throw Bad($"nic {mac}: '{g}' is not a gateway address")).ToList(),
            Primary = Bool(nic, "primary"),
            Mtu = mtu,
            AllowedIps = Strings(nic, "allowed_ips").Select(IpCidr.Parse).ToList(),
            AllowIpSpoofing = Bool(nic, "allow_ip_spoofing") || dhcpSpoof,
            AllowMacSpoofing = Bool(nic, "allow_mac_spoofing"),
            AllowDhcpSpoofing = dhcpSpoof,
            AllowRestrictedTraffic = Bool(nic, "allow_restricted_traffic"),
        };
    }

    /// <summary>Parses a VM's nics array (in order; the index is the position).</summary>
    public static IReadOnlyList<NicSpec> FromVmNics(JsonArray? nics) =>
        nics is null ? [] : nics.Select(n => FromVmNic(n as JsonObject ?? throw Bad("a nic is not an object"))).ToList();

    /// <summary>Lower-case colon-separated form; refuses anything but six octets, and multicast.</summary>
    public static string NormalizeMac(string mac)
    {
        string[] octets = mac.Split(':');
        if (octets.Length != 6 || octets.Any(o => o.Length is 0 or > 2 || !o.All(Uri.IsHexDigit)))
            throw Bad($"'{mac}' is not a MAC address");
        string normalized = string.Join(':', octets.Select(o => o.PadLeft(2, '0').ToLowerInvariant()));
        if ((Convert.ToByte(normalized[..2], 16) & 1) != 0 || normalized == "00:00:00:00:00:00")
            throw Bad($"'{mac}' is not a unicast MAC address");
        return normalized;
    }

    private static SolsticeException Bad(string message) => new(ErrorCode.InvalidArgument, message);

    private static string? Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static bool Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && ((v.TryGetValue<bool>(out bool b) && b) || (v.TryGetValue<string>(out var s) && s == "true"));

    private static int? Int(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v)
            return null;
        // Values the daemon normalised are in-memory longs, not parsed JSON: read any integer form.
        if (Solstice.Core.Vm.VmJson.TryGetInteger(v, out long l) && l is >= int.MinValue and <= int.MaxValue)
            return (int)l;
        throw Bad($"'{key}' is not an integer");
    }

    private static List<string> Strings(JsonObject o, string key) => o[key] switch
    {
        JsonArray a => a.Select(e => e is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad($"'{key}' holds a non-string")).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
        null => [],
        _ => throw Bad($"'{key}' is not a list"),
    };
}
