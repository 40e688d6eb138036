using System.Globalization;

namespace Solstice.Network.Firewall;

/// <summary>Value checks made while parsing, with sdc-fwrule's messages (lib/index.js, lib/validators.js).</summary>
internal static class FwRuleValues
{
    public static bool IsUuid(string text)
    {
        if (text.Length != 36)
            return false;
        for (int i = 0; i < 36; i++)
        {
            char c = text[i];
            bool ok = i is 8 or 13 or 18 or 23 ? c == '-' : char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';
            if (!ok)
                return false;
        }
        return true;
    }

    public static int Priority(string text) =>
        ParseDigits(text, 0, 100) ?? throw Invalid($"Priority level \"{text}\" is invalid");

    public static int Port(string text) =>
        ParseDigits(text, 1, 65535) ?? throw Invalid($"Port number \"{text}\" is invalid");

    public static int IcmpType(string text) =>
        ParseDigits(text, 0, 255) ?? throw Invalid($"ICMP type \"{text}\" is invalid");

    public static int IcmpCode(string text) =>
        ParseDigits(text, 0, 255) ?? throw Invalid($"ICMP code \"{text}\" is invalid");

    public static FwPort Range(string start, string end)
    {
        int first = Port(start);
        int last = Port(end);
        if (last < first)
            throw Invalid($"The end of the range ({end}) cannot be less than the start ({start})");
        return FwPort.Range(first, last);
    }

    /// <summary>A PORTS element written without spaces: "80" or "80-90" (the lexer reads either as one word).</summary>
    public static FwPort PortOrRange(string word)
    {
        string[] parts = word.Split('-');
        return parts.Length switch
        {
            1 => FwPort.Single(Port(parts[0])),
            2 => Range(parts[0], parts[1]),
            _ => throw Invalid($"\"{word}\" is not a valid port number or range"),
        };
    }

    public static void IpAddress(string text, bool v6)
    {
        if (v6 ? !IsIpv6(text) : !IsIpv4(text, strict: true) || text is "0.0.0.0" or "255.255.255.255")
            throw Invalid($"IPv{(v6 ? 6 : 4)} address \"{text}\" is invalid");
    }

    public static void Subnet(string cidr, bool enforceMask)
    {
        int slash = cidr.IndexOf('/');
        string address = cidr[..slash];
        bool v6 = address.Contains(':');
        if (v6 ? !IsIpv6(address) : !IsIpv4(address, strict: false))
            throw Invalid($"Subnet \"{cidr}\" is invalid (bad address component)");
        int? prefix = ParseDigits(cidr[(slash + 1)..], 0, v6 ? 128 : 32);
        if (prefix is null)
            throw Invalid($"Subnet \"{cidr}\" is invalid (bad prefix length)");
        if (enforceMask && !FwAddress.Parse(cidr).IsNetworkAligned)
            throw Invalid($"Subnet \"{cidr}\" is invalid (bits set to right of mask)");
    }

    /// <summary>Dotted quad with each part 0–255; strict also refuses leading zeros (node's net.isIPv4).</summary>
    public static bool IsIpv4(string text, bool strict)
    {
        string[] parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (strict && part.Length > 1 && part[0] == '0'))
                return false;
            if (int.Parse(part, CultureInfo.InvariantCulture) > 255)
                return false;
        }
        return true;
    }

    /// <summary>Eight groups of 1–4 hex digits, or fewer with one "::" (the only IPv6 forms the lexer produces).</summary>
    public static bool IsIpv6(string text)
    {
        int compress = text.IndexOf("::", StringComparison.Ordinal);
        if (compress >= 0 && text.IndexOf("::", compress + 1, StringComparison.Ordinal) >= 0)
            return false;
        if (compress < 0)
            return Groups(text) == 8;
        int head = compress == 0 ? 0 : Groups(text[..compress]);
        int tail = compress + 2 == text.Length ? 0 : Groups(text[(compress + 2)..]);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    private static int Groups(string text)
    {
        string[] groups = text.Split(':');
        foreach (string g in groups)
        {
            if (g.Length is 0 or > 4 || !g.All(char.IsAsciiHexDigit))
                return -1;
        }
        return groups.Length;
    }

    /// <summary>All-digit text within [min, max]; leading zeros are allowed, as JavaScript's Number() allows them.</summary>
    private static int? ParseDigits(string text, int min, int max)
    {
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
            return text.Length == 0 && min == 0 ? 0 : null;
        string trimmed = text.TrimStart('0');
        if (trimmed.Length > 6)
            return null;
        int value = trimmed.Length == 0 ? 0 : int.Parse(trimmed, CultureInfo.InvariantCulture);
        return value < min || value > max ? null : value;
    }

    private static FwRuleException Invalid(string message) => new("rule", message);
}
