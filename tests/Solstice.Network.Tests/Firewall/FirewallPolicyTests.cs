using Solstice.Network.Firewall;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

public class FirewallPolicyTests
{
    [Fact]
    public void Inbound_allow_beats_block_at_equal_priority_and_higher_priority_goes_first()
    {
        var allow = Rule("FROM any TO tag role = www ALLOW tcp PORT 25");
        var block = Rule("FROM subnet 10.20.30.0/24 TO tag role = www BLOCK tcp PORT 25");
        var blockHigh = Rule("FROM subnet 10.20.30.0/24 TO tag role = www BLOCK tcp PORT 25 PRIORITY 1");
        var policy = new FirewallPolicy([block, allow, blockHigh], Vms);
        var order = policy.EffectiveRules(Web).Select(e => e.Rule).ToList();
        Assert.Equal([blockHigh, allow, block], order);
        Assert.True(policy.EffectiveRules(Web).Single(e => e.Rule == block).IsNoOp);
        Assert.False(policy.EffectiveRules(Web).Single(e => e.Rule == blockHigh).IsNoOp);
    }

    [Fact]
    public void Outbound_block_beats_allow_at_equal_priority()
    {
        var blockAll = Rule("FROM all vms TO any BLOCK tcp PORT all");
        var allowSsh = Rule("FROM all vms TO any ALLOW tcp PORT 22");
        var allowSshHigh = Rule("FROM all vms TO any ALLOW tcp PORT 22 PRIORITY 1");
        var policy = new FirewallPolicy([allowSsh, blockAll, allowSshHigh], Vms);
        var effective = policy.EffectiveRules(Db);
        Assert.Equal([allowSshHigh, blockAll, allowSsh], effective.Select(e => e.Rule));
        Assert.All(effective, e => Assert.Equal(FwDirection.Outbound, e.Direction));
        Assert.True(effective[2].IsNoOp);
    }

    [Fact]
    public void Owner_scoped_rules_apply_only_to_the_owners_vms_and_global_rules_to_all()
    {
        var owned = Rule("FROM any TO tag role = www ALLOW tcp PORT 80", owner: OwnerA);
        var global = Rule("FROM any TO tag role = www ALLOW tcp PORT 443");
        var policy = new FirewallPolicy([owned, global], Vms);
        Assert.Equal([owned, global], policy.EffectiveRules(Web).Select(e => e.Rule).OrderBy(r => r.Uuid));
        Assert.Equal([global], policy.EffectiveRules(Other).Select(e => e.Rule));
        Assert.Equal([Web], policy.AffectedVms(owned));
        Assert.Equal([Web, Other], policy.AffectedVms(global));
    }

    [Fact]
    public void Tag_without_value_matches_any_value_and_with_value_only_that_value()
    {
        var anyRole = Rule("FROM any TO tag role ALLOW tcp PORT 1");
        var db = Rule("FROM any TO tag role = db ALLOW tcp PORT 2");
        var policy = new FirewallPolicy([anyRole, db], Vms);
        Assert.Equal([Web, Db, Other, Off], policy.AffectedVms(anyRole).OrderBy(v => v[0]));
        Assert.Equal([Db, Off], policy.AffectedVms(db));
        Assert.Equal([Db], policy.AffectedVms(db, includeDisabled: false));
    }

    [Fact]
    public void A_vm_on_both_sides_gets_an_inbound_and_an_outbound_rule()
    {
        var ssh = Rule("FROM all vms TO all vms ALLOW tcp PORT 22 PRIORITY 5");
        var effective = new FirewallPolicy([ssh], Vms).EffectiveRules(Web);
        Assert.Equal([FwDirection.Inbound, FwDirection.Outbound], effective.Select(e => e.Direction));
        Assert.Equal(["10.0.0.10", "10.0.0.20", "10.0.0.30", "10.0.0.40", "fd00::10"], effective[0].Peers.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void Peers_resolve_the_other_side_to_addresses_with_owner_scoping()
    {
        var rule = Rule("FROM (tag role = www OR ip 192.168.1.1 OR subnet 172.16.5.0/16) TO tag role = db ALLOW tcp PORT 5432", owner: OwnerA);
        var inbound = new FirewallPolicy([rule], Vms).EffectiveRules(Db).Single();
        Assert.Equal(FwDirection.Inbound, inbound.Direction);
        Assert.False(inbound.Peers.AnyAddress);
        Assert.Equal(["10.0.0.10", "172.16.0.0/16", "192.168.1.1", "fd00::10"], inbound.Peers.Addresses.Select(a => a.ToString()));
        var anyPeer = new FirewallPolicy([Rule("FROM any TO vm " + Db + " ALLOW tcp PORT 1")], Vms).EffectiveRules(Db).Single();
        Assert.True(anyPeer.Peers.AnyAddress);
    }

    [Fact]
    public void Disabled_rules_are_not_enforced_but_are_listed_for_the_vm()
    {
        var disabled = Rule("FROM any TO vm " + Web + " ALLOW tcp PORT 80", enabled: false);
        var byIp = Rule("FROM ip 10.0.0.10 TO tag role = db ALLOW tcp PORT 5432");
        var policy = new FirewallPolicy([disabled, byIp], Vms);
        Assert.Empty(policy.EffectiveRules(Web));
        Assert.Equal([disabled, byIp], policy.RulesForVm(Web).OrderBy(r => r.Uuid));
        Assert.Equal([Web, Db, Off], policy.AffectedVms(byIp));
        Assert.Empty(policy.RulesForVm("00000000-0000-4000-8000-000000000000"));
    }
}
