using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Solstice.Core.Vm;

/// <summary>Format rules for vmadm property values: uuids, MACs, addresses, names.</summary>
public static partial class VmValueRules
{
    /// <summary>vmadm create-snapshot: at most 64 characters.</summary>
    public const int MaxSnapshotNameLength = 64;

    /// <summary>Linux HOST_NAME_MAX is 64 including the terminating NUL.</summary>
    public const int MaxHostnameLength = 63;

    public const int MaxAliasLength = 512;

    /// <summary>vmadm limits nics.*.ips and nics.*.allowed_dhcp_cids to 20 entries.</summary>
    public const int MaxNicListEntries = 20;

    public static bool IsUuid(string? s) => s is not null && UuidRegex().IsMatch(s);

    /// <summary>
    /// vmadm's getUUID check for command-line arguments: 36 characters with dashes at 8, 13, 18
    /// and 23 (looser than <see cref="IsUuid"/>; an unknown but well-shaped uuid is "No such zone").
    /// </summary>
    public static bool HasUuidShape([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? s) =>
        s is { Length: 36 } && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';

    /// <summary>Six colon-separated octets of one or two hex digits (vmadm zero-pads them, see <see cref="NormalizeMac"/>).</summary>
    public static bool IsMac(string? s) => s is not null && MacRegex().IsMatch(s);

    /// <summary>
    /// A MAC a NIC may carry: well formed, unicast (the group bit of the first octet clear) and not all zeros.
    /// A broadcast or multicast source address would be dropped by every peer or confuse the bridge.
    /// </summary>
    public static bool IsUnicastMac(string? s)
    {
        if (!IsMac(s))
            return false;
        string[] octets = s!.Split(':');
        int first = Convert.ToInt32(octets[0], 16);
        return (first & 1) == 0 && octets.Any(o => Convert.ToInt32(o, 16) != 0);
    }

    /// <summary>
    /// An address a NIC may own: not unspecified, loopback, multicast, limited broadcast or IPv4 class E
    /// (240/4), and, with an IPv4 prefix of /30 or shorter, neither the network nor the broadcast address of it.
    /// </summary>
    public static bool IsHostAddress(string address, int prefix = -1)
    {
        if (TryParseIPv4(address, out uint v4))
        {
            uint top = v4 >> 24;
            if (top is 0 or 127 || top >= 224)
                return false;
            if (prefix is >= 0 and <= 30)
            {
                uint host = prefix == 0 ? uint.MaxValue : uint.MaxValue >> prefix;
                if ((v4 & host) == 0 || (v4 & host) == host)
                    return false;
            }
            return true;
        }
        if (!IsIPv6(address) || !IPAddress.TryParse(address, out var v6))
            return false;
        return !(v6.Equals(IPAddress.IPv6Any) || v6.Equals(IPAddress.IPv6Loopback) || v6.IsIPv6Multicast
            || (v6.IsIPv4MappedToIPv6 && !IsHostAddress(v6.MapToIPv4().ToString())));
    }

    /// <summary>nics.*.ips entries that are addresses: the address part must be a host address.</summary>
    public static bool IsNicHostIp(string? s) => s is "dhcp" or "addrconf"
        || (TryParseCidr(s, out string address, out int prefix) && IsHostAddress(address, prefix));

    /// <summary>vmadm fixMac: lower case, each octet zero-padded to two digits. Returns the input if it is not a MAC.</summary>
    public static string NormalizeMac(string mac)
    {
        if (!IsMac(mac))
            return mac;
        string[] octets = mac.Split(':');
        for (int i = 0; i < octets.Length; i++)
            octets[i] = octets[i].ToLowerInvariant().PadLeft(2, '0');
        return string.Join(':', octets);
    }

    /// <summary>Strict dotted-quad IPv4: four decimal octets 0–255, no leading zeros.</summary>
    public static bool TryParseIPv4(string? s, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(s))
            return false;
        string[] parts = s.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
                return false;
            int octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
                return false;
            address = (address << 8) | (uint)octet;
        }
        return true;
    }

    public static bool IsIPv4(string? s) => TryParseIPv4(s, out _);

    public static bool IsIPv6(string? s) =>
        !string.IsNullOrEmpty(s) && s.Contains(':', StringComparison.Ordinal) && !s.Contains('%', StringComparison.Ordinal)
        && IPAddress.TryParse(s, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    public static bool IsIP(string? s) => IsIPv4(s) || IsIPv6(s);

    /// <summary>An IPv4 <c>a.b.c.d/0-32</c> or IPv6 <c>addr/0-128</c> prefix.</summary>
    public static bool IsCidr(string? s) => TryParseCidr(s, out _, out _);

    public static bool TryParseCidr(string? s, out string address, out int prefix)
    {
        address = "";
        prefix = -1;
        int slash = s?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0)
            return false;
        address = s![..slash];
        string bits = s[(slash + 1)..];
        if (bits.Length is 0 or > 3 || !bits.All(char.IsAsciiDigit) || (bits.Length > 1 && bits[0] == '0'))
            return false;
        prefix = int.Parse(bits, CultureInfo.InvariantCulture);
        return IsIPv4(address) ? prefix <= 32 : IsIPv6(address) && prefix <= 128;
    }

    /// <summary>An address or a prefix (nics.*.allowed_ips, routes destinations).</summary>
    public static bool IsIPOrCidr(string? s) => IsIP(s) || IsCidr(s);

    /// <summary>nics.*.ips entries: an address with prefix, or <c>dhcp</c> / <c>addrconf</c>.</summary>
    public static bool IsNicIp(string? s) => s is "dhcp" or "addrconf" || IsCidr(s);

    /// <summary>A contiguous IPv4 netmask such as 255.255.255.0.</summary>
    public static bool IsNetmask(string? s) => TryNetmaskToPrefix(s, out _);

    public static bool TryNetmaskToPrefix(string? s, out int prefix)
    {
        prefix = 0;
        if (!TryParseIPv4(s, out uint mask))
            return false;
        uint inverted = ~mask;
        if ((inverted & (inverted + 1)) != 0)
            return false;
        prefix = 32 - BitCount(inverted);
        return true;
    }

    public static string PrefixToNetmask(int prefix)
    {
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return string.Join('.', mask >> 24, (mask >> 16) & 0xff, (mask >> 8) & 0xff, mask & 0xff);
    }

    /// <summary>RFC 1123 labels separated by dots, at most <see cref="MaxHostnameLength"/> characters.</summary>
    public static bool IsHostname(string? s) => s is { Length: > 0 and <= MaxHostnameLength } && DnsNameRegex().IsMatch(s);

    public static bool IsDnsDomain(string? s) => s is { Length: > 0 and <= 253 } && DnsNameRegex().IsMatch(s);

    /// <summary>Aliases are free text shown in tables, so only control characters (which break list output) are refused.</summary>
    public static bool IsAlias(string? s) => s is { Length: > 0 and <= MaxAliasLength } && !s.Any(char.IsControl);

    /// <summary>Zone names: 1–63 characters, alphanumeric first, then alphanumerics, '-', '_', '.'; never "global".</summary>
    public static bool IsZonename(string? s) => s is not null && s != "global" && ZonenameRegex().IsMatch(s);

    /// <summary>vmadm create-snapshot: at most 64 characters of <c>[A-Za-z0-9-_.:%]</c>.</summary>
    public static bool IsSnapshotName(string? s) =>
        s is { Length: > 0 and <= MaxSnapshotNameLength } && SnapshotNameRegex().IsMatch(s);

    public static bool IsZpoolName(string? s) => s is { Length: > 0 and <= 255 } && ZpoolRegex().IsMatch(s);

    /// <summary>Nic tags are nic names, etherstubs, or overlay names such as <c>sdc_overlay/4711</c>.</summary>
    public static bool IsNicTag(string? s) => s is not null && NicTagRegex().IsMatch(s);

    public static bool IsInterfaceName(string? s) => s is not null && InterfaceRegex().IsMatch(s);

    /// <summary>lx kernel_version: dotted numbers such as 3.13.0 or 4.4.</summary>
    public static bool IsKernelVersion(string? s) => s is not null && KernelVersionRegex().IsMatch(s);

    /// <summary>A privilege set element: a name optionally negated with '-' or '!'.</summary>
    public static bool IsPrivilege(string? s) => s is not null && PrivilegeRegex().IsMatch(s);

    public static bool IsFsType(string? s) => s is not null && FsTypeRegex().IsMatch(s);

    /// <summary>zfs compression values vmadm accepts.</summary>
    public static bool IsCompression(string? s) => s switch
    {
        "on" or "off" or "gzip" or "lz4" or "lzjb" or "zle" => true,
        ['g', 'z', 'i', 'p', '-', >= '1' and <= '9'] => true,
        _ => false,
    };

    public static bool IsPowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0;

    /// <summary>nics.*.allowed_dhcp_cids: <c>0x</c> followed by at least two hex-encoded bytes.</summary>
    public static bool IsDhcpClientId(string? s) => s is not null && DhcpCidRegex().IsMatch(s);

    public static bool IsAbsolutePath(string? s) => s is { Length: > 0 } && s[0] == '/' && !s.Contains('\0', StringComparison.Ordinal);

    /// <summary>routes values: an address, <c>nics[N]</c>, or <c>macs[mac]</c> (link-local routes).</summary>
    public static bool IsRouteGateway(string? s)
    {
        if (IsIP(s))
            return true;
        if (s is null || !s.EndsWith(']'))
            return false;
        if (s.StartsWith("nics[", StringComparison.Ordinal))
            return s.Length > 6 && s[5..^1].All(char.IsAsciiDigit);
        return s.StartsWith("macs[", StringComparison.Ordinal) && IsMac(s[5..^1]);
    }

    private static int BitCount(uint value) => System.Numerics.BitOperations.PopCount(value);

    // VM.js isUUID: lower-case hex only; an upper-case uuid is a bad value, never normalised.
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\z")]
    private static partial Regex UuidRegex();

    [GeneratedRegex("^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}\\z")]
    private static partial Regex MacRegex();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\z")]
    private static partial Regex DnsNameRegex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\\z")]
    private static partial Regex ZonenameRegex();

    [GeneratedRegex("^[A-Za-z0-9_.:%-]+\\z")]
    private static partial Regex SnapshotNameRegex();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]*\\z")]
    private static partial Regex ZpoolRegex();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_./-]{0,62}\\z")]
    private static partial Regex NicTagRegex();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,13}[0-9]\\z")]
    private static partial Regex InterfaceRegex();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+){1,3}\\z")]
    private static partial Regex KernelVersionRegex();

    [GeneratedRegex("^[-!]?[a-z_]+\\z")]
    private static partial Regex PrivilegeRegex();

    [GeneratedRegex("^[a-z0-9_]+\\z")]
    private static partial Regex FsTypeRegex();

    [GeneratedRegex("^0x([0-9a-fA-F]{2}){2,}\\z")]
    private static partial Regex DhcpCidRegex();
}
