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
        var chains = new List<NftChain>();
        var elements = new List<string>();
        foreach (var port in ports.OrderBy(p => p.Link, StringComparer.Ordinal))
        {
            string chain = ChainName(port.Link);
            if (chains.Any(c => c.Name == chain))
                throw new SolsticeException(ErrorCode.Conflict, $"link '{port.Link}' is given twice");
            elements.Add($"{NftRenderer.Quote(port.Link)} : jump {chain}");
            chains.Add(new NftChain(chain, null, PortRules(port)));
        }
        var dispatch = new NftRule([new NftMatch("iifname vmap", "@" + PortMap)], new NftVerdict(NftVerdictKind.None));
        return new NftRuleset(Family, table, [], [new NftChain("prerouting", new NftHook("filter", "prerouting", -300, "accept"), [dispatch]), .. chains])
        {
            Maps = [new NftMap(PortMap, "ifname", "verdict", elements)],
        };
    }

    /// <summary>The named verdict map from host-side link to its chain, so nics are added and removed without a reload.</summary>
    public const string PortMap = "ports";

    public static string Render(IEnumerable<AntiSpoofPort> ports, string table = DefaultTable) => NftRenderer.Render(Compile(ports, table));

    /// <summary>Adds or replaces one port's chain and map entry in a loaded table, as one transaction.</summary>
    public static string RenderAddPort(AntiSpoofPort port, string table = DefaultTable)
    {
        string chain = ChainName(port.Link);
        var sb = new System.Text.StringBuilder();
        sb.Append("add chain ").Append(Family).Append(' ').Append(table).Append(' ').Append(chain).Append('\n');
        sb.Append("flush chain ").Append(Family).Append(' ').Append(table).Append(' ').Append(chain).Append('\n');
        foreach (var rule in PortRules(port))
            sb.Append("add rule ").Append(Family).Append(' ').Append(table).Append(' ').Append(chain).Append(' ').Append(NftRenderer.RenderRule(rule)).Append('\n');
        sb.Append("add element ").Append(Family).Append(' ').Append(table).Append(' ').Append(PortMap)
            .Append(" { ").Append(NftRenderer.Quote(port.Link)).Append(" : jump ").Append(chain).Append(" }\n");
        return sb.ToString();
    }

    /// <summary>Removes one port's map entry and chain from a loaded table.</summary>
    public static string RenderRemovePort(string link, string table = DefaultTable) =>
        $"delete element {Family} {table} {PortMap} {{ {NftRenderer.Quote(link)} }}\ndelete chain {Family} {table} {ChainName(link)}\n";

    public static string ChainName(string link)
    {
        if (!LinkNames.IsValidInterface(link))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{link}' is not a valid link name");
        return "p_" + link.Replace('.', '_').Replace('-', '_');
    }

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

    /// <summary>Adds ports to the loaded table (one nft transaction).</summary>
    public void Add(IEnumerable<AntiSpoofPort> ports) =>
        Run(string.Concat(ports.Select(p => AntiSpoofCompiler.RenderAddPort(p, table))), "Failed to add anti-spoofing rules");

    /// <summary>Removes ports from the loaded table (one nft transaction).</summary>
    public void Remove(IEnumerable<string> links) =>
        Run(string.Concat(links.Select(l => AntiSpoofCompiler.RenderRemovePort(l, table))), "Failed to remove anti-spoofing rules");

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
