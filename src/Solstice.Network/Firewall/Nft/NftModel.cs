namespace Solstice.Network.Firewall.Nft;

/// <summary>A table of sets and chains, rendered by <see cref="NftRenderer"/> as one atomic replace.</summary>
public sealed record NftRuleset(string Family, string Table, IReadOnlyList<NftSet> Sets, IReadOnlyList<NftChain> Chains);

/// <summary>A named set; Type is an nft data type (ipv4_addr, ipv6_addr). Interval sets hold prefixes too.</summary>
public sealed record NftSet(string Name, string Type, bool Interval, IReadOnlyList<string> Elements);

/// <summary>A chain; a base chain has a Hook, a regular one is only reached by jumps.</summary>
public sealed record NftChain(string Name, NftHook? Hook, IReadOnlyList<NftRule> Rules);

public sealed record NftHook(string Type, string Hook, int Priority, string Policy);

/// <summary>One match expression: Key Value ("tcp dport" "{ 22, 80 }"), or Key != Value when negated.</summary>
public sealed record NftMatch(string Key, string Value, bool Negated = false);

public enum NftVerdictKind
{
    None,
    Accept,
    Drop,
    Return,
    Jump,
}

public sealed record NftVerdict(NftVerdictKind Kind, string? Chain = null)
{
    public static NftVerdict Accept { get; } = new(NftVerdictKind.Accept);

    public static NftVerdict Drop { get; } = new(NftVerdictKind.Drop);

    public static NftVerdict Jump(string chain) => new(NftVerdictKind.Jump, chain);
}

/// <summary>
/// A rule: matches, then optional counter and log statements, then the verdict. With VerdictMapKey set
/// the rule is a verdict map instead ("iifname vmap { "x" : jump c }") and Verdict is unused.
/// </summary>
public sealed record NftRule(IReadOnlyList<NftMatch> Matches, NftVerdict Verdict)
{
    public bool Counter { get; init; }

    public string? LogPrefix { get; init; }

    public string? Comment { get; init; }

    public string? VerdictMapKey { get; init; }

    public IReadOnlyList<KeyValuePair<string, NftVerdict>> VerdictMap { get; init; } = [];
}
