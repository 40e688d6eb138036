using Solstice.Core;
using Solstice.Network.Firewall.Nft;

namespace Solstice.Network.Links;

/// <summary>
/// A host-side zone link and what may leave through it: Ips are the nic's own addresses (their prefix
/// length is the subnet's, so only the address counts); AllowedIps are addresses or prefixes.
/// </summary>
public sealed record AntiSpoofPort(string Link, string Mac, IReadOnlyList<IpCidr> Ips)
{
    public IReadOnlyList<IpCidr> AllowedIps { get; init; } = [];

    /// <summary>The nic learns its address by DHCP or SLAAC: no IP source check is possible.</summary>
    public bool Dhcp { get; init; }

    public bool AllowIpSpoofing { get; init; }

    public bool AllowMacSpoofing { get; init; }

    public bool AllowDhcpSpoofing { get; init; }

    public bool AllowRestrictedTraffic { get; init; }

    public static AntiSpoofPort For(string link, NicSpec nic) => new(link, nic.Mac, nic.Ips)
    {
        AllowedIps = nic.AllowedIps,
        Dhcp = nic.Dhcp,
        AllowIpSpoofing = nic.AllowIpSpoofing,
        AllowMacSpoofing = nic.AllowMacSpoofing,
        AllowDhcpSpoofing = nic.AllowDhcpSpoofing,
        AllowRestrictedTraffic = nic.AllowRestrictedTraffic,
    };
}

/// <summary>
/// SmartOS's default-deny link protection (mac-nospoof, ip-nospoof, dhcp-nospoof, restricted) as one
/// nftables table in the bridge family. Frames from a zone enter the bridge through the zone's host-side
/// link; one prerouting chain of fixed rules checks them against named sets keyed by that link, so a
/// port is added or removed by adding or deleting set elements only. libnftables then needs just the
/// table's set definitions in its cache, not chains, rules or (non-interval) elements, which keeps nic
/// add at a constant cost however many nics the node has. Needs no conntrack. A whole load replaces
/// the table atomically.
/// </summary>
public static class AntiSpoofCompiler
{
    public const string Family = "bridge";
    public const string DefaultTable = "solstice_antispoof";

    /// <summary>Every zone port; frames from other ports are not checked.</summary>
    public const string Ports = "ports";

    // Ports exempt from one check (ifname sets).
    private const string RestrictedOk = "restricted_ok";
    private const string MacOk = "mac_ok";
    private const string DhcpOk = "dhcp_ok";
    private const string IpOk = "ip_ok";

    // What a port may send (link . value). Exact addresses and prefixes are kept apart so that only
    // nics with prefixes in allowed_ips touch the interval sets.
    private const string Macs = "macs";
    private const string Ip4Addrs = "ip4_addrs";
    private const string Ip6Addrs = "ip6_addrs";
    private const string Ip4Nets = "ip4_nets";
    private const string Ip6Nets = "ip6_nets";

    // link . mac . address for every exact address: TCP from one of these passes every check, so it is
    // accepted after one lookup.
    private const string MacIp4 = "mac_ip4";
    private const string MacIp6 = "mac_ip6";

    private static readonly (string Name, string Type, bool Interval)[] s_sets =
    [
        (Ports, "ifname", false),
        (RestrictedOk, "ifname", false),
        (MacOk, "ifname", false),
        (DhcpOk, "ifname", false),
        (IpOk, "ifname", false),
        (Macs, "ifname . ether_addr", false),
        (Ip4Addrs, "ifname . ipv4_addr", false),
        (Ip6Addrs, "ifname . ipv6_addr", false),
        (Ip4Nets, "ifname . ipv4_addr", true),
        (Ip6Nets, "ifname . ipv6_addr", true),
        (MacIp4, "ifname . ether_addr . ipv4_addr", false),
        (MacIp6, "ifname . ether_addr . ipv6_addr", false),
    ];

    public static NftRuleset Compile(IEnumerable<AntiSpoofPort> ports, string table = DefaultTable)
    {
        var elements = s_sets.ToDictionary(s => s.Name, _ => new List<string>());
        var links = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in ports.OrderBy(p => p.Link, StringComparer.Ordinal))
        {
            if (!links.Add(port.Link))
                throw new SolsticeException(ErrorCode.Conflict, $"link '{port.Link}' is given twice");
            foreach (var (set, element) in Elements(port))
                elements[set].Add(element);
        }
        var sets = s_sets.Select(s => new NftSet(s.Name, s.Type, s.Interval, elements[s.Name])).ToList();
        return new NftRuleset(Family, table, sets, [new NftChain("prerouting", new NftHook("filter", "prerouting", -300, "accept"), Rules())]);
    }

    public static string Render(IEnumerable<AntiSpoofPort> ports, string table = DefaultTable) => NftRenderer.Render(Compile(ports, table));

    /// <summary>Adds a port (not yet in the table) to a loaded table: set elements only, as one transaction.</summary>
    public static string RenderAddPort(AntiSpoofPort port, string table = DefaultTable) => RenderElements("add", port, table);

    /// <summary>Deletes exactly the elements RenderAddPort added for this port.</summary>
    public static string RenderRemovePort(AntiSpoofPort port, string table = DefaultTable) => RenderElements("delete", port, table);

    private static string RenderElements(string verb, AntiSpoofPort port, string table)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var set in Elements(port).GroupBy(e => e.Set, e => e.Element))
        {
            sb.Append(verb).Append(" element ").Append(Family).Append(' ').Append(table).Append(' ').Append(set.Key)
                .Append(" { ").AppendJoin(", ", set).Append(" }\n");
        }
        return sb.ToString();
    }

    /// <summary>The port's elements, by set: a port is in the table exactly when these are.</summary>
    private static List<(string Set, string Element)> Elements(AntiSpoofPort port)
    {
        if (!LinkNames.IsValidInterface(port.Link))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{port.Link}' is not a valid link name");
        string link = NftRenderer.Quote(port.Link);
        string mac = NicSpec.NormalizeMac(port.Mac);
        var exact = port.Ips.Select(i => i.Address)
            .Concat(port.AllowedIps.Where(IsSingleAddress).Select(i => i.Address))
            .Distinct().ToList();
        var nets = OutermostNetworks(port.AllowedIps.Where(i => !IsSingleAddress(i)));

        var elements = new List<(string, string)> { (Ports, link), (Macs, $"{link} . {mac}") };
        if (port.AllowRestrictedTraffic)
            elements.Add((RestrictedOk, link));
        if (port.AllowMacSpoofing)
            elements.Add((MacOk, link));
        if (port.AllowDhcpSpoofing)
            elements.Add((DhcpOk, link));
        if (port.AllowIpSpoofing || port.Dhcp)
            elements.Add((IpOk, link));
        foreach (var address in exact)
        {
            bool v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            elements.Add((v6 ? Ip6Addrs : Ip4Addrs, $"{link} . {address}"));
            elements.Add((v6 ? MacIp6 : MacIp4, $"{link} . {mac} . {address}"));
        }
        foreach (var net in nets)
            elements.Add((net.IsV6 ? Ip6Nets : Ip4Nets, $"{link} . {net}"));
        return elements;
    }

    /// <summary>
    /// The fixed rules. A frame from a zone port is dropped when any check fails; the checks and their
    /// exemptions are SmartOS's (docs/network.md, "Anti-spoofing").
    /// </summary>
    private static List<NftRule> Rules()
    {
        // ARP probes (RFC 5227) and DHCP discovery use 0.0.0.0; IPv6 DAD uses ::, and link-local
        // addresses are the nic's own on its link.
        return
        [
            // Bulk traffic first: TCP from a zone port's own MAC and address passes every check below.
            // Only zone ports have elements, so this costs a frame from elsewhere one failed lookup.
            new([new NftMatch("meta l4proto", "tcp"), new NftMatch("iifname . ether saddr . ip saddr", "@" + MacIp4)], NftVerdict.Accept),
            new([new NftMatch("meta l4proto", "tcp"), new NftMatch("iifname . ether saddr . ip6 saddr", "@" + MacIp6)], NftVerdict.Accept),
            new([In(Ports, Negated: true)], NftVerdict.Accept),
            Drop(new NftMatch("ether type", "{ ip, ip6, arp }", Negated: true), In(RestrictedOk, Negated: true)),
            Drop(In(MacOk, Negated: true), new NftMatch("iifname . ether saddr", "@" + Macs, Negated: true)),
            Drop(new NftMatch("ether type", "arp"), In(MacOk, Negated: true), new NftMatch("iifname . arp saddr ether", "@" + Macs, Negated: true)),
            Drop(new NftMatch("ether type", "ip"), new NftMatch("udp sport", "67"), new NftMatch("udp dport", "68"), In(DhcpOk, Negated: true)),
            Drop(new NftMatch("ether type", "ip6"), new NftMatch("udp sport", "547"), new NftMatch("udp dport", "546"), In(DhcpOk, Negated: true)),
            Drop(new NftMatch("ether type", "arp"), In(IpOk, Negated: true), new NftMatch("arp saddr ip", "0.0.0.0", Negated: true),
                new NftMatch("iifname . arp saddr ip", "@" + Ip4Addrs, Negated: true), new NftMatch("iifname . arp saddr ip", "@" + Ip4Nets, Negated: true)),
            Drop(new NftMatch("ether type", "ip"), In(IpOk, Negated: true), new NftMatch("ip saddr", "0.0.0.0", Negated: true),
                new NftMatch("iifname . ip saddr", "@" + Ip4Addrs, Negated: true), new NftMatch("iifname . ip saddr", "@" + Ip4Nets, Negated: true)),
            Drop(new NftMatch("ether type", "ip6"), In(IpOk, Negated: true), new NftMatch("ip6 saddr", "{ ::, fe80::/10 }", Negated: true),
                new NftMatch("iifname . ip6 saddr", "@" + Ip6Addrs, Negated: true), new NftMatch("iifname . ip6 saddr", "@" + Ip6Nets, Negated: true)),
        ];
    }

    private static NftMatch In(string ifnameSet, bool Negated) => new("iifname", "@" + ifnameSet, Negated);

    private static NftRule Drop(params NftMatch[] matches) => new(matches, NftVerdict.Drop) { Counter = true };

    private static bool IsSingleAddress(IpCidr cidr) => cidr.PrefixLength == (cidr.IsV6 ? 128 : 32);

    /// <summary>
    /// The prefixes as networks (host bits cleared), without duplicates and without those inside
    /// another: an interval set refuses overlapping elements.
    /// </summary>
    private static List<IpCidr> OutermostNetworks(IEnumerable<IpCidr> prefixes)
    {
        var networks = prefixes.Select(Network).Distinct().OrderBy(n => n.PrefixLength).ToList();
        var kept = new List<IpCidr>();
        foreach (var net in networks)
        {
            if (!kept.Any(k => k.IsV6 == net.IsV6 && Network(net with { PrefixLength = k.PrefixLength }) == k))
                kept.Add(net);
        }
        return kept;
    }

    private static IpCidr Network(IpCidr cidr)
    {
        byte[] bytes = cidr.Address.GetAddressBytes();
        for (int bit = cidr.PrefixLength; bit < bytes.Length * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return cidr with { Address = new System.Net.IPAddress(bytes) };
    }
}

/// <summary>
/// Loads the anti-spoofing table into the node's namespace (netnsPath, or the daemon's own when
/// null), through one nft session kept until disposed.
/// </summary>
public sealed class AntiSpoofApplier(INftLoader nft, string? netnsPath = null, string table = AntiSpoofCompiler.DefaultTable) : IDisposable
{
    private INftSession? _session;

    public string Table => table;

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }

    /// <summary>Adds ports, not yet in it, to the loaded table (one nft transaction).</summary>
    public void Add(IEnumerable<AntiSpoofPort> ports) =>
        Run(string.Concat(ports.Select(p => AntiSpoofCompiler.RenderAddPort(p, table))), "Failed to add anti-spoofing rules");

    /// <summary>Removes ports, as they were added, from the loaded table (one nft transaction).</summary>
    public void Remove(IEnumerable<AntiSpoofPort> ports) =>
        Run(string.Concat(ports.Select(p => AntiSpoofCompiler.RenderRemovePort(p, table))), "Failed to remove anti-spoofing rules");

    /// <summary>Replaces the whole table with these ports.</summary>
    public void Apply(IEnumerable<AntiSpoofPort> ports) => Run(AntiSpoofCompiler.Render(ports, table), "Failed to load the anti-spoofing table");

    public void Remove() => Run(NftRenderer.RenderDelete(AntiSpoofCompiler.Family, table), "Failed to remove the anti-spoofing table");

    private void Run(string script, string what)
    {
        var outcome = (_session ??= nft.OpenSession(netnsPath)).Run(script);
        if (!outcome.Succeeded)
            throw new SolsticeException(ErrorCode.BackendFailed, $"{what}: {outcome.Error.Trim()}");
    }
}
