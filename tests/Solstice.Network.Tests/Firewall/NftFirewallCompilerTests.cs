using Solstice.Core;
using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

public class NftFirewallCompilerTests
{
    public static TheoryData<string> CaseNames => [.. NftCorpus.Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Renders_the_golden_ruleset(string name)
    {
        var ruleset = NftFirewallCompiler.Compile(NftCorpus.Cases[name](), NftCorpus.Targets);
        Golden.Assert($"nft/{name}.nft", NftRenderer.Render(ruleset));
    }

    [Fact]
    public void Rendering_is_deterministic_whatever_the_input_order()
    {
        var policy = NftCorpus.Cases["web-db"]();
        var shuffled = new FirewallPolicy(policy.Rules.Reverse(), policy.Vms.Reverse());
        Assert.Equal(
            NftRenderer.Render(NftFirewallCompiler.Compile(policy, NftCorpus.Targets)),
            NftRenderer.Render(NftFirewallCompiler.Compile(shuffled, NftCorpus.Targets.Reverse())));
    }

    [Fact]
    public void Vms_with_the_firewall_disabled_or_without_links_get_no_chains()
    {
        var ruleset = NftFirewallCompiler.Compile(NftCorpus.Cases["web-db"](), [new VmFirewallTarget(Off, ["vnic9"]), new VmFirewallTarget(Db, [])]);
        Assert.Equal(["prerouting", "postrouting"], ruleset.Chains.Select(c => c.Name));
        Assert.All(ruleset.Chains, c => Assert.Empty(c.Rules));
    }

    [Fact]
    public void A_link_claimed_by_two_vms_is_a_conflict()
    {
        var ex = Assert.Throws<SolsticeException>(() => NftFirewallCompiler.Compile(
            new FirewallPolicy([], Vms), [new VmFirewallTarget(Web, ["vnic0"]), new VmFirewallTarget(Db, ["vnic0"])]));
        Assert.Equal(ErrorCode.Conflict, ex.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\"b")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("has space")]
    public void Invalid_link_names_are_refused(string link)
    {
        var ex = Assert.Throws<SolsticeException>(() => NftFirewallCompiler.Compile(new FirewallPolicy([], Vms), [new VmFirewallTarget(Web, [link])]));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public void Without_conntrack_the_chains_have_no_ct_match()
    {
        var ruleset = NftFirewallCompiler.Compile(NftCorpus.Cases["web-db"](), NftCorpus.Targets, new NftCompilerOptions { Conntrack = false });
        Assert.DoesNotContain("ct state", NftRenderer.Render(ruleset));
    }
}
