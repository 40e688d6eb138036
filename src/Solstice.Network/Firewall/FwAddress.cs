using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Solstice.Network.Firewall;

/// <summary>An IPv4 or IPv6 address or prefix, as a 128-bit value and a prefix length.</summary>
public readonly record struct FwAddress(bool IsV6, UInt128 Value, int Prefix)
{
    public int Bits => IsV6 ? 128 : 32;

    public bool IsHost => Prefix == Bits;

    public UInt128 Mask => Prefix == 0 ? UInt128.Zero : (UInt128.MaxValue << (Bits - Prefix)) & (IsV6 ? UInt128.MaxValue : uint.MaxValue);

    public bool IsNetworkAligned => (Value & ~Mask & AllBits) == 0;

    /// <summary>The prefix with the host bits cleared (nft refuses a prefix with host bits set).</summary>
    public FwAddress Network => this with { Value = Value & Mask };

    private UInt128 AllBits => IsV6 ? UInt128.MaxValue : uint.MaxValue;

    public bool Contains(FwAddress other) =>
        other.IsV6 == IsV6 && other.Prefix >= Prefix && (other.Value & Mask) == (Value & Mask);

    /// <summary>Parses "a.b.c.d", "a.b.c.d/n", "x::y" or "x::y/n"; a VM's nic ips ("10.0.0.5/24") count as hosts.</summary>
    public static bool TryParse(string text, out FwAddress address, bool prefixMeansHost = false)
    {
        address = default;
        int slash = text.IndexOf('/');
        string host = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            return false;
        if (ip.AddressFamily == AddressFamily.InterNetwork && !FwRuleValues.IsIpv4(host, strict: false))
            return false;
        bool v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 && ip.ScopeId != 0)
            return false;
        int bits = v6 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0 && !prefixMeansHost
            && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
            return false;
        byte[] bytes = ip.GetAddressBytes();
        UInt128 value = UInt128.Zero;
        foreach (byte b in bytes)
            value = (value << 8) | b;
        address = new FwAddress(v6, value, prefix);
        return true;
    }

    public static FwAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IP address or prefix");

    public override string ToString()
    {
        byte[] bytes = new byte[IsV6 ? 16 : 4];
        UInt128 v = Value;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(v & 0xFF);
            v >>= 8;
        }
        string host = new IPAddress(bytes).ToString();
        return IsHost ? host : $"{host}/{Prefix.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Orders v4 before v6, then by network value, then wider prefixes first.</summary>
    public static int Compare(FwAddress a, FwAddress b)
    {
        int c = a.IsV6.CompareTo(b.IsV6);
        if (c == 0)
            c = a.Value.CompareTo(b.Value);
        return c != 0 ? c : a.Prefix.CompareTo(b.Prefix);
    }
}
