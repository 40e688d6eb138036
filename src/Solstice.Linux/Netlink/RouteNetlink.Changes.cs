using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Solstice.Linux.Interop;

namespace Solstice.Linux.Netlink;

public sealed partial class RouteNetlink
{
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;

    /// <summary>
    /// Queues a veth pair: name here, peerName (with its MAC) moved into the namespace bound at
    /// peerNetnsPath; both ends with mtu. maxGsoSize, when given, raises both ends' GSO/GRO limits for
    /// IPv4 and IPv6 above 64 KiB (BIG TCP, Linux 6.3+; older kernels ignore attributes they don't know).
    /// </summary>
    public void AddVeth(string name, int mtu, string peerName, PhysicalAddress peerMac, string peerNetnsPath, int? maxGsoSize = null)
    {
        var peerNetns = FileDescriptor.Open(peerNetnsPath);
        _held.Add(peerNetns);
        Begin(Rtm.NewLink, Nl.Create | Nl.Excl, $"add veth {name} (peer {peerName})");
        _batch.Put(new IfInfoMsg());
        _batch.PutString(Ifla.IfName, name);
        _batch.PutU32(Ifla.Mtu, (uint)mtu);
        PutGsoSizes(maxGsoSize);
        int linkInfo = _batch.BeginNested(Ifla.LinkInfo);
        _batch.PutString(Ifla.InfoKind, "veth");
        int data = _batch.BeginNested(Ifla.InfoData);
        int peer = _batch.BeginNested(Ifla.VethInfoPeer);
        _batch.Put(new IfInfoMsg());
        _batch.PutString(Ifla.IfName, peerName);
        _batch.PutAttribute(Ifla.Address, peerMac.GetAddressBytes());
        _batch.PutU32(Ifla.Mtu, (uint)mtu);
        _batch.PutU32(Ifla.NetNsFd, (uint)peerNetns.Fd);
        PutGsoSizes(maxGsoSize);
        _batch.EndNested(peer);
        _batch.EndNested(data);
        _batch.EndNested(linkInfo);
        _batch.EndMessage();
    }

    private void PutGsoSizes(int? size)
    {
        if (size is not { } bytes)
            return;
        foreach (ushort attribute in (ReadOnlySpan<ushort>)[Ifla.GsoMaxSize, Ifla.GroMaxSize, Ifla.GsoIpv4MaxSize, Ifla.GroIpv4MaxSize])
            _batch.PutU32(attribute, (uint)bytes);
    }

    /// <summary>Queues a bridge without STP and with no forward delay (mtu: null for the kernel's default).</summary>
    public void AddBridge(string name, int? mtu, bool vlanFiltering = false)
    {
        Begin(Rtm.NewLink, Nl.Create | Nl.Excl, $"add bridge {name}");
        _batch.Put(new IfInfoMsg());
        _batch.PutString(Ifla.IfName, name);
        if (mtu is { } m)
            _batch.PutU32(Ifla.Mtu, (uint)m);
        int linkInfo = _batch.BeginNested(Ifla.LinkInfo);
        _batch.PutString(Ifla.InfoKind, "bridge");
        int data = _batch.BeginNested(Ifla.InfoData);
        _batch.PutU32(Ifla.BridgeForwardDelay, 0);
        _batch.PutU32(Ifla.BridgeStpState, 0);
        if (vlanFiltering)
            _batch.PutU8(Ifla.BridgeVlanFiltering, 1);
        _batch.EndNested(data);
        _batch.EndNested(linkInfo);
        _batch.EndMessage();
    }

    /// <summary>Queues addrgenmode none: the link gets no IPv6 link-local address of its own when it comes up.</summary>
    public void SetNoIpv6LinkLocal(string name)
    {
        Begin(Rtm.NewLink, 0, $"set addrgenmode none on {name}");
        _batch.Put(new IfInfoMsg());
        _batch.PutString(Ifla.IfName, name);
        int spec = _batch.BeginNested(Ifla.AfSpec);
        int inet6 = _batch.BeginNested(AfInet6);
        _batch.PutU8(Ifla.Inet6AddrGenMode, Ifla.AddrGenModeNone);
        _batch.EndNested(inet6);
        _batch.EndNested(spec);
        _batch.EndMessage();
    }

    /// <summary>Queues changes to an existing link named name: its bridge (masterIndex), its MTU, and bringing it up.</summary>
    public void SetLink(string name, int? masterIndex = null, int? mtu = null, bool up = false)
    {
        Begin(Rtm.NewLink, 0, masterIndex is null ? $"set link {name}" : $"set link {name} master {masterIndex}");
        _batch.Put(new IfInfoMsg { Flags = up ? Ifla.IffUp : 0, Change = up ? Ifla.IffUp : 0 });
        _batch.PutString(Ifla.IfName, name);
        if (masterIndex is { } master)
            _batch.PutU32(Ifla.Master, (uint)master);
        if (mtu is { } m)
            _batch.PutU32(Ifla.Mtu, (uint)m);
        _batch.EndMessage();
    }

    /// <summary>Queues deleting a link (a veth takes its peer with it); a missing link is fine when ignoreMissing.</summary>
    public void DeleteLink(string name, bool ignoreMissing = false)
    {
        Begin(Rtm.DelLink, 0, $"delete link {name}", ignoreMissing ? Errno.ENODEV : 0);
        _batch.Put(new IfInfoMsg());
        _batch.PutString(Ifla.IfName, name);
        _batch.EndMessage();
    }

    /// <summary>Queues an address on the link with that index (noDad: IPv6 without duplicate address detection).</summary>
    public void AddAddress(int linkIndex, IPAddress address, int prefixLength, bool noDad = false)
    {
        byte family = Family(address);
        Begin(Rtm.NewAddr, Nl.Create | Nl.Excl, $"add address {address}/{prefixLength} on link {linkIndex}");
        _batch.Put(new IfAddrMsg { Family = family, PrefixLength = (byte)prefixLength, Flags = noDad ? Ifa.FlagNoDad : (byte)0, Index = linkIndex });
        byte[] bytes = address.GetAddressBytes();
        _batch.PutAttribute(Ifa.Local, bytes);
        _batch.PutAttribute(Ifa.Address, bytes);
        _batch.EndMessage();
    }

    /// <summary>
    /// Queues adding or replacing a route in the main table: to destination/prefixLength (null: the
    /// default route) via gateway, or, without a gateway, directly on the link outputIndex.
    /// </summary>
    public void ReplaceRoute(AddressFamily family, IPAddress? destination, int prefixLength, IPAddress? gateway, int? outputIndex)
    {
        byte af = family == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        string target = destination is null ? "default" : $"{destination}/{prefixLength}";
        Begin(Rtm.NewRoute, Nl.Create | Nl.Replace, $"replace route {target}{(gateway is null ? "" : $" via {gateway}")}");
        _batch.Put(new RtMsg
        {
            Family = af,
            DestinationLength = (byte)(destination is null ? 0 : prefixLength),
            Table = Rta.TableMain,
            Protocol = Rta.ProtocolBoot,
            Scope = gateway is null ? Rta.ScopeLink : Rta.ScopeUniverse,
            Type = Rta.TypeUnicast,
        });
        if (destination is not null)
            _batch.PutAttribute(Rta.Destination, destination.GetAddressBytes());
        if (gateway is not null)
            _batch.PutAttribute(Rta.Gateway, gateway.GetAddressBytes());
        if (outputIndex is { } oif)
            _batch.PutU32(Rta.Oif, (uint)oif);
        _batch.EndMessage();
    }

    private static byte Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
}
