using System.Globalization;
using Solstice.Core;

namespace Solstice.Network.Firewall.Nft;

/// <summary>A local VM whose firewall is to be loaded: its uuid and the host-side links of its nics.</summary>
public sealed record VmFirewallTarget(string Uuid, IReadOnlyList<string> Interfaces);

public sealed record NftCompilerOptions
{
    public string Table { get; init; } = "solstice_fw";

    /// <summary>
    /// Accept established and related flows first. Needs the kernel's bridge conntrack
    /// (nf_conntrack_bridge); without it VMs could not receive replies, so only tests turn this off.
    /// </summary>
    public bool Conntrack { get; init; } = true;

    /// <summary>Let IPv6 neighbour discovery in, which ipf did not filter but a bridge filter would.</summary>
    public bool AllowNeighborDiscovery { get; init; } = true;

    public bool Counters { get; init; } = true;
}

/// <summary>
/// Compiles the policy into one nftables table in the bridge family (docs/firewall.md). Each VM nic's
/// host-side link is a bridge port, so frames from the VM enter at that port (prerouting, iifname) and
/// frames to it leave through it (postrouting, oifname), whether they come from another VM on the
/// bridge, the uplink or the host. Two base chains dispatch by port to a VM's outbound and inbound
/// chains, which hold its effective rules in evaluation order: first match decides.
/// </summary>
public static partial class NftFirewallCompiler
{
    public const string Family = "bridge";

    public static NftRuleset Compile(FirewallPolicy policy, IEnumerable<VmFirewallTarget> targets, NftCompilerOptions? options = null)
    {
        options ??= new NftCompilerOptions();
        var sets = new SortedDictionary<string, NftSet>(StringComparer.Ordinal);
        var inMap = new List<KeyValuePair<string, NftVerdict>>();
        var outMap = new List<KeyValuePair<string, NftVerdict>>();
        var vmChains = new List<NftChain>();
        var seenInterfaces = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var target in targets.OrderBy(t => t.Uuid, StringComparer.Ordinal))
        {
            if (policy.FindVm(target.Uuid) is not { FirewallEnabled: true } || target.Interfaces.Count == 0)
                continue;
            string name = ChainBase(target.Uuid);
            foreach (string link in target.Interfaces.Distinct().Order(StringComparer.Ordinal))
            {
                CheckInterface(link);
                if (!seenInterfaces.TryAdd(link, target.Uuid))
                    throw new SolsticeException(ErrorCode.Conflict, $"link '{link}' is given for VMs {seenInterfaces[link]} and {target.Uuid}");
                inMap.Add(new(NftRenderer.Quote(link), NftVerdict.Jump(name + "_in")));
                outMap.Add(new(NftRenderer.Quote(link), NftVerdict.Jump(name + "_out")));
            }
            var effective = policy.EffectiveRules(target.Uuid).Where(e => !e.IsNoOp).ToList();
            vmChains.Add(new NftChain(name + "_in", null, InboundChain(effective, sets, options)));
            vmChains.Add(new NftChain(name + "_out", null, OutboundChain(effective, sets, options)));
        }
        var chains = new List<NftChain>
        {
            BaseChain("prerouting", "iifname", outMap.OrderBy(e => e.Key, StringComparer.Ordinal).ToList()),
            BaseChain("postrouting", "oifname", inMap.OrderBy(e => e.Key, StringComparer.Ordinal).ToList()),
        };
        chains.AddRange(vmChains);
        return new NftRuleset(Family, options.Table, sets.Values.ToList(), chains);
    }

    /// <summary>The chain name stem of a VM: nft identifiers allow no dashes.</summary>
    public static string ChainBase(string vmUuid)
    {
        if (!FwRuleValues.IsUuid(vmUuid))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{vmUuid}' is not a VM uuid");
        return "vm_" + vmUuid.Replace('-', '_');
    }

    private static NftChain BaseChain(string hook, string key, List<KeyValuePair<string, NftVerdict>> map)
    {
        // Priority 0 runs after the bridge conntrack hook (-200), so ct state is known.
        var rules = map.Count == 0 ? new List<NftRule>() : [new NftRule([], NftVerdict.Accept) { VerdictMapKey = key, VerdictMap = map }];
        return new NftChain(hook, new NftHook("filter", hook, 0, "accept"), rules);
    }

    private static List<NftRule> InboundChain(List<EffectiveRule> effective, IDictionary<string, NftSet> sets, NftCompilerOptions options)
    {
        var rules = Preamble(options);
        rules.Add(new NftRule([new NftMatch("meta protocol", "{ ip, ip6 }", Negated: true)], NftVerdict.Accept));
        if (options.AllowNeighborDiscovery)
        {
            rules.Add(new NftRule(
                [new NftMatch("icmpv6 type", "{ nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }")],
                NftVerdict.Accept));
        }
        foreach (var e in effective.Where(e => e.Direction == FwDirection.Inbound))
            rules.AddRange(RuleLines(e, sets, options));
        rules.Add(new NftRule([], NftVerdict.Drop) { Counter = options.Counters });
        return rules;
    }

    private static List<NftRule> OutboundChain(List<EffectiveRule> effective, IDictionary<string, NftSet> sets, NftCompilerOptions options)
    {
        var rules = Preamble(options);
        foreach (var e in effective.Where(e => e.Direction == FwDirection.Outbound))
            rules.AddRange(RuleLines(e, sets, options));
        return rules;
    }

    private static List<NftRule> Preamble(NftCompilerOptions options) =>
        options.Conntrack ? [new NftRule([new NftMatch("ct state", "established,related")], NftVerdict.Accept)] : [];

    private static void CheckInterface(string link)
    {
        if (link.Length is 0 or > 15 || link.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '"' or '\\' or '/'))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{link}' is not a valid link name");
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
