namespace Solstice.Network.Firewall.Nft;

public static partial class NftFirewallCompiler
{
    /// <summary>
    /// The nft rules for one effective rule: one per address family its peers have (none when they
    /// resolve to no address; a single family-less one for any) times one per protocol match.
    /// </summary>
    private static IEnumerable<NftRule> RuleLines(EffectiveRule e, IDictionary<string, NftSet> sets, NftCompilerOptions options)
    {
        var spec = e.Rule.Spec;
        var verdict = e.Action == FwAction.Allow ? NftVerdict.Accept : NftVerdict.Drop;
        var addressMatches = new List<NftMatch?>();
        if (e.Peers.AnyAddress)
        {
            addressMatches.Add(null);
        }
        else
        {
            string direction = e.Direction == FwDirection.Inbound ? "saddr" : "daddr";
            string side = e.Direction == FwDirection.Inbound ? "from" : "to";
            if (spec.Protocol != FwProtocol.Icmp6 && AddressSet(e, side, v6: false, sets) is { } v4)
                addressMatches.Add(new NftMatch($"ip {direction}", "@" + v4));
            if (spec.Protocol != FwProtocol.Icmp && AddressSet(e, side, v6: true, sets) is { } v6)
                addressMatches.Add(new NftMatch($"ip6 {direction}", "@" + v6));
        }
        foreach (var address in addressMatches)
        {
            foreach (var protocolMatches in ProtocolMatches(spec))
            {
                var matches = address is null ? protocolMatches : [address, .. protocolMatches];
                yield return new NftRule(matches, verdict)
                {
                    Counter = options.Counters,
                    LogPrefix = e.Rule.Log ? $"fw {e.Rule.Uuid} " : null,
                    Comment = e.Rule.Uuid,
                };
            }
        }
    }

    /// <summary>The named set of a rule side's addresses of one family, shared by every VM the rule applies to.</summary>
    private static string? AddressSet(EffectiveRule e, string side, bool v6, IDictionary<string, NftSet> sets)
    {
        var elements = Merge(v6 ? e.Peers.V6 : e.Peers.V4).Select(a => a.ToString()).ToList();
        if (elements.Count == 0)
            return null;
        string name = $"r_{e.Rule.Uuid.Replace('-', '_')}_{side}_{(v6 ? "v6" : "v4")}";
        sets.TryAdd(name, new NftSet(name, v6 ? "ipv6_addr" : "ipv4_addr", Interval: true, elements));
        return name;
    }

    /// <summary>Drops prefixes contained in others: an interval set refuses overlapping elements.</summary>
    private static List<FwAddress> Merge(IEnumerable<FwAddress> addresses)
    {
        var kept = new List<FwAddress>();
        foreach (var a in addresses.Select(a => a.Network).Distinct().OrderBy(a => a, Comparer<FwAddress>.Create(FwAddress.Compare)))
        {
            if (kept.Count == 0 || !kept[^1].Contains(a))
                kept.Add(a);
        }
        return kept;
    }

    private static IEnumerable<List<NftMatch>> ProtocolMatches(FwRuleSpec spec)
    {
        switch (spec.Protocol)
        {
            case FwProtocol.Tcp or FwProtocol.Udp:
                string name = spec.Protocol.Name();
                yield return spec.Ports.Any(p => p.IsAll)
                    ? [new NftMatch("meta l4proto", name)]
                    : [new NftMatch($"{name} dport", PortExpression(spec.Ports))];
                break;
            case FwProtocol.Icmp or FwProtocol.Icmp6:
                string key = spec.Protocol == FwProtocol.Icmp ? "icmp" : "icmpv6";
                if (spec.Types.Any(t => t.IsAll))
                {
                    yield return [new NftMatch("meta l4proto", spec.Protocol == FwProtocol.Icmp ? "icmp" : "ipv6-icmp")];
                    break;
                }
                var bare = spec.Types.Where(t => t.Code is null).Select(t => t.Type).Distinct().ToList();
                if (bare.Count > 0)
                    yield return [new NftMatch($"{key} type", SetExpression(bare.Select(Number).ToList()))];
                foreach (var t in spec.Types.Where(t => t.Code is not null).Distinct())
                    yield return [new NftMatch($"{key} type", Number(t.Type)), new NftMatch($"{key} code", Number(t.Code!.Value))];
                break;
            default:
                yield return [new NftMatch("meta l4proto", spec.Protocol.Name())];
                break;
        }
    }

    /// <summary>Ports and ranges, sorted and with overlapping or adjacent ones merged (nft refuses overlaps in a set).</summary>
    private static string PortExpression(IReadOnlyList<FwPort> ports)
    {
        var merged = new List<(int Start, int End)>();
        foreach (var (start, end) in ports.Select(p => (p.Start, p.End)).OrderBy(p => p.Start).ThenBy(p => p.End))
        {
            if (merged.Count > 0 && start <= merged[^1].End + 1)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            else
                merged.Add((start, end));
        }
        return SetExpression(merged.Select(r => r.Start == r.End ? Number(r.Start) : $"{Number(r.Start)}-{Number(r.End)}").ToList());
    }

    private static string SetExpression(List<string> items) => items.Count == 1 ? items[0] : $"{{ {string.Join(", ", items)} }}";
}
