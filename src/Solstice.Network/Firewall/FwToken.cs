namespace Solstice.Network.Firewall;

/// <summary>
/// Terminals, declared in the order sdc-fwrule's generated parser numbers them, because its error
/// messages list the expected terminals in that order.
/// </summary>
internal enum FwTokenKind
{
    From,
    To,
    Eof,
    Priority,
    Word,
    LParen,
    RParen,
    Or,
    All,
    Vms,
    Any,
    Ip,
    Ipv4Addr,
    Subnet,
    CidrSuffix,
    Ipv6Addr,
    Vm,
    Tag,
    Equals,
    String,
    Block,
    Allow,
    Tcp,
    Udp,
    Icmp,
    Icmp6,
    Ah,
    Esp,
    And,
    Port,
    Ports,
    Dash,
    Comma,
    Type,
    Code,
}

/// <summary>A token: Text is the raw match, Value the unescaped body for strings; Start/End are offsets.</summary>
internal readonly record struct FwToken(FwTokenKind Kind, string Text, string Value, int Start, int End);

internal static class FwTokenNames
{
    private static readonly string[] s_names =
    [
        "FROM", "TO", "EOF", "PRIORITY", "WORD", "(", ")", "OR", "ALL", "VMS", "ANY", "IP", "IPV4ADDR", "SUBNET",
        "CIDRSUFFIX", "IPV6ADDR", "VM", "TAG", "=", "STRING", "BLOCK", "ALLOW", "TCP", "UDP", "ICMP", "ICMP6", "AH",
        "ESP", "AND", "PORT", "PORTS", "-", ",", "TYPE", "CODE",
    ];

    public static string Terminal(FwTokenKind kind) => s_names[(int)kind];

    /// <summary>How fwrule prints an expected terminal: quoted, with the target keywords in lower case.</summary>
    public static string Expected(FwTokenKind kind) => kind switch
    {
        FwTokenKind.All or FwTokenKind.Any or FwTokenKind.Ip or FwTokenKind.Subnet or FwTokenKind.Tag or FwTokenKind.Vm
            => $"'{Terminal(kind).ToLowerInvariant()}'",
        _ => $"'{Terminal(kind)}'",
    };

    /// <summary>How fwrule prints the terminal it found: bare, with WORD as "word".</summary>
    public static string Found(FwTokenKind kind) => kind == FwTokenKind.Word ? "word" : Terminal(kind);
}
