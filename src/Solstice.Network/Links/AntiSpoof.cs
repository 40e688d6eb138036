using Solstice.Core;
using Solstice.Network.Firewall.Nft;

namespace Solstice.Network.Links;

/// <summary>A host-side zone link and what may leave through it.</summary>
public sealed record AntiSpoofPort(string Link, string Mac, IReadOnlyList<IpCidr> Ips)
{
    /// <summary>The nic learns its address by DHCP or SLAAC: no IP source check is possible.</summary>
    public bool Dhcp { get; init; }

    public bool AllowIpSpoofing { get; init; }

    public bool AllowMacSpoofing { get; init; }

    public bool AllowDhcpSpoofing { get; init; }

    public bool AllowRestrictedTraffic { get; init; }

    public static AntiSpoofPort For(string link, NicSpec nic) => new(link, nic.Mac, [.. nic.Ips, .. nic.AllowedIps])
    {
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
/// link; a prerouting chain dispatches by that port to the port's chain, which drops what the nic may
/// not send. Needs no conntrack. The table is replaced whole (nft -f applies a file atomically).
/// </summary>
public static class AntiSpoofCompiler
{
    public const string Family = "bridge";
    public const string DefaultTable = "solstice_antispoof";

    public static NftRuleset Compile(IEnumerable<AntiSpoofPort> ports, string table = DefaultTable)
    {
        var map = new List<KeyValuePair<string, NftVerdict>>();
        var chains = new List<NftChain>();
        foreach (var port in ports.OrderBy(p => p.Link, StringComparer.Ordinal))
        {
            if (!LinkNames.IsValidInterface(port.Link))
                throw new SolsticeException(ErrorCode.InvalidArgument, $"'{port.Link}' is not a valid link name");
            if (map.Any(e => e.Key == NftRenderer.Quote(port.Link)))
                throw new SolsticeException(ErrorCode.Conflict, $"link '{port.Link}' is given twice");
            string chain = "p_" + port.Link.Replace('.', '_').Replace('-', '_').Replace('#', '_');
            map.Add(new(NftRenderer.Quote(port.Link), NftVerdict.Jump(chain)));
            chains.Add(new NftChain(chain, null, PortRules(port)));
        }
        var dispatch = map.Count == 0 ? new List<NftRule>() : [new NftRule([], NftVerdict.Accept) { VerdictMapKey = "iifname", VerdictMap = map }];
        return new NftRuleset(Family, table, [], [new NftChain("prerouting", new NftHook("filter", "prerouting", -300, "accept"), dispatch), .. chains]);
    }

    public static string Render(IEnumerable<AntiSpoofPort> ports, string table = DefaultTable) => NftRenderer.Render(Compile(ports, table));

    private static List<NftRule> PortRules(AntiSpoofPort port)
    {
        var rules = new List<NftRule>();
        string mac = NicSpec.NormalizeMac(port.Mac);
        if (!port.AllowRestrictedTraffic)
            rules.Add(Drop(new NftMatch("ether type", "{ ip, ip6, arp }", Negated: true)));
        if (!port.AllowMacSpoofing)
        {
            rules.Add(Drop(new NftMatch("ether saddr", mac, Negated: true)));
            rules.Add(Drop(new NftMatch("ether type", "arp"), new NftMatch("arp saddr ether", mac, Negated: true)));
        }
        if (!port.AllowDhcpSpoofing)
        {
            rules.Add(Drop(new NftMatch("ether type", "ip"), new NftMatch("udp sport", "67"), new NftMatch("udp dport", "68")));
            rules.Add(Drop(new NftMatch("ether type", "ip6"), new NftMatch("udp sport", "547"), new NftMatch("udp dport", "546")));
        }
        if (!port.AllowIpSpoofing && !port.Dhcp)
        {
            var v4 = port.Ips.Where(i => !i.IsV6).Select(i => i.Address.ToString()).Distinct().ToList();
            var v6 = port.Ips.Where(i => i.IsV6).Select(i => i.Address.ToString()).Distinct().ToList();
            // ARP probes (RFC 5227) and DHCP discovery use 0.0.0.0; IPv6 DAD uses ::, and link-local
            // addresses are the nic's own on its link.
            rules.Add(Drop(new NftMatch("ether type", "arp"), new NftMatch("arp saddr ip", Set(["0.0.0.0", .. v4]), Negated: true)));
            rules.Add(Drop(new NftMatch("ether type", "ip"), new NftMatch("ip saddr", Set(["0.0.0.0", .. v4]), Negated: true)));
            rules.Add(Drop(new NftMatch("ether type", "ip6"), new NftMatch("ip6 saddr", Set(["::", "fe80::/10", .. v6]), Negated: true)));
        }
        return rules;
    }

    private static NftRule Drop(params NftMatch[] matches) => new(matches, NftVerdict.Drop) { Counter = true };

    private static string Set(IReadOnlyList<string> items) => items.Count == 1 ? items[0] : $"{{ {string.Join(", ", items)} }}";
}

/// <summary>Loads the anti-spoofing table into the node's namespace.</summary>
public sealed class AntiSpoofApplier(HostCommands commands, string table = AntiSpoofCompiler.DefaultTable)
{
    public string Table => table;

    public void Apply(IEnumerable<AntiSpoofPort> ports)
    {
        var result = commands.Host(["nft", "-f", "-"], AntiSpoofCompiler.Render(ports, table));
        HostCommands.Check(result, "Failed to load the anti-spoofing table");
    }

    public void Remove() => HostCommands.Check(
        commands.Host(["nft", "-f", "-"], NftRenderer.RenderDelete(AntiSpoofCompiler.Family, table)), "Failed to remove the anti-spoofing table");
}
