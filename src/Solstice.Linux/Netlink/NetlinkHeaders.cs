using System.Runtime.InteropServices;

namespace Solstice.Linux.Netlink;

// Layouts and constants of linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h and
// linux/veth.h, as far as Solstice uses them.

[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Sequence;
    public uint PortId;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NlAttr
{
    public ushort Length;
    public ushort Type;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMsg
{
    public byte Family;
    public byte Pad;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IfAddrMsg
{
    public byte Family;
    public byte PrefixLength;
    public byte Flags;
    public byte Scope;
    public int Index;
}

[StructLayout(LayoutKind.Sequential)]
internal struct RtMsg
{
    public byte Family;
    public byte DestinationLength;
    public byte SourceLength;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;
}

internal static class Nl
{
    public const int NetlinkRoute = 0;
    public const int SolNetlink = 270;
    public const int NetlinkCapAck = 10;
    public const int NetlinkExtAck = 11;

    public const ushort Error = 2;
    public const ushort Done = 3;

    public const ushort Request = 0x1;
    public const ushort Ack = 0x4;
    public const ushort Replace = 0x100;
    public const ushort Excl = 0x200;
    public const ushort Create = 0x400;
    public const ushort Capped = 0x100;
    public const ushort AckTlvs = 0x200;

    public const ushort AttrNested = 0x8000;
    public const ushort ErrAttrMsg = 1;
}

internal static class Rtm
{
    public const ushort NewLink = 16;
    public const ushort DelLink = 17;
    public const ushort GetLink = 18;
    public const ushort NewAddr = 20;
    public const ushort NewRoute = 24;
}

internal static class Ifla
{
    public const ushort Address = 1;
    public const ushort IfName = 3;
    public const ushort Mtu = 4;
    public const ushort Master = 10;
    public const ushort TxQueueLength = 13;
    public const ushort LinkInfo = 18;
    public const ushort AfSpec = 26;
    public const ushort NetNsFd = 28;
    public const ushort GsoMaxSize = 41;
    public const ushort GroMaxSize = 58;
    public const ushort GsoIpv4MaxSize = 63;
    public const ushort GroIpv4MaxSize = 64;

    public const ushort InfoKind = 1;
    public const ushort InfoData = 2;

    public const ushort VethInfoPeer = 1;

    public const ushort BridgeForwardDelay = 1;
    public const ushort BridgeStpState = 5;
    public const ushort BridgeVlanFiltering = 7;

    public const ushort Inet6AddrGenMode = 8;
    public const byte AddrGenModeNone = 1;

    public const uint IffUp = 0x1;
}

internal static class Ifa
{
    public const ushort Address = 1;
    public const ushort Local = 2;
    public const byte FlagNoDad = 0x02;
}

internal static class Rta
{
    public const ushort Destination = 1;
    public const ushort Oif = 4;
    public const ushort Gateway = 5;

    public const byte TableMain = 254;
    public const byte ProtocolBoot = 3;
    public const byte ScopeUniverse = 0;
    public const byte ScopeLink = 253;
    public const byte TypeUnicast = 1;
}
