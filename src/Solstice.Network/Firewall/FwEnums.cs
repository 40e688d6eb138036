namespace Solstice.Network.Firewall;

public enum FwAction
{
    Allow,
    Block,
}

public enum FwProtocol
{
    Tcp,
    Udp,
    Icmp,
    Icmp6,
    Ah,
    Esp,
}

/// <summary>Which side of a rule a VM sits on: FROM makes the rule outbound for it, TO inbound.</summary>
public enum FwDirection
{
    Inbound,
    Outbound,
}

/// <summary>Target kinds in the order the canonical text lists them (sdc-fwrule TARGET_TYPES).</summary>
public enum FwTargetKind
{
    Any,
    AllVms,
    Ip,
    Subnet,
    Tag,
    Vm,
}

public static class FwNames
{
    public static string Name(this FwProtocol protocol) => protocol switch
    {
        FwProtocol.Tcp => "tcp",
        FwProtocol.Udp => "udp",
        FwProtocol.Icmp => "icmp",
        FwProtocol.Icmp6 => "icmp6",
        FwProtocol.Ah => "ah",
        FwProtocol.Esp => "esp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static string Name(this FwAction action) => action == FwAction.Allow ? "allow" : "block";

    public static bool IsIcmp(this FwProtocol protocol) => protocol is FwProtocol.Icmp or FwProtocol.Icmp6;

    public static bool HasPorts(this FwProtocol protocol) => protocol is FwProtocol.Tcp or FwProtocol.Udp;
}
