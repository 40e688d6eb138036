namespace Solstice.Network.Firewall.Nft;

public static partial class NftFirewallCompiler
{
    public const string ZoneFamily = "inet";

    /// <summary>
    /// One VM's firewall as a table in the inet family, loaded inside the VM's own network namespace
    /// (as SmartOS's ipf sits in the zone's own IP stack; the zone lacks CAP_NET_ADMIN to change it).
    /// The input hook holds the inbound rules (loopback exempt), the output hook the outbound ones;
    /// ordinary conntrack makes it stateful without bridge conntrack. Null when the VM's firewall is
    /// off (the caller removes the table).
    /// </summary>
    public static NftRuleset? CompileZone(FirewallPolicy policy, string vmUuid, NftCompilerOptions? options = null)
    {
        options ??= new NftCompilerOptions();
        if (policy.FindVm(vmUuid) is not { FirewallEnabled: true })
            return null;
        var sets = new SortedDictionary<string, NftSet>(StringComparer.Ordinal);
        var effective = policy.EffectiveRules(vmUuid).Where(e => !e.IsNoOp).ToList();
        var input = new List<NftRule> { new([new NftMatch("iifname", NftRenderer.Quote("lo"))], NftVerdict.Accept) };
        input.AddRange(InboundChain(effective, sets, options));
        var output = new List<NftRule> { new([new NftMatch("oifname", NftRenderer.Quote("lo"))], NftVerdict.Accept) };
        output.AddRange(OutboundChain(effective, sets, options));
        return new NftRuleset(ZoneFamily, options.Table, sets.Values.ToList(),
        [
            new NftChain("input", new NftHook("filter", "input", 0, "accept"), input),
            new NftChain("output", new NftHook("filter", "output", 0, "accept"), output),
        ]);
    }
}
