using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;

namespace Solstice.TestKit;

/// <summary>A read-only rule store over a fixed list, for appliers under test and benchmarks.</summary>
public sealed class FixedRuleStore(IReadOnlyList<FirewallRule> rules) : IFirewallRuleStore
{
    public IReadOnlyList<FirewallRule> List() => rules;

    public FirewallRule? Get(string uuid) => rules.FirstOrDefault(r => r.Uuid == uuid);

    public void Add(FirewallRule rule) => throw new NotSupportedException();

    public void Update(FirewallRule rule) => throw new NotSupportedException();

    public void Delete(string uuid) => throw new NotSupportedException();
}

/// <summary>A fixed set of VMs (read live, so a test may add to the list) and fwadm targets.</summary>
public sealed class FixedVmInventory(IReadOnlyList<FirewallVm> vms, IReadOnlyList<VmFirewallTarget>? targets = null) : IFirewallVmInventory
{
    public IReadOnlyList<FirewallVm> ListVms() => vms;

    public IReadOnlyList<VmFirewallTarget> ListTargets() => targets ?? [];

    public void SetFirewallEnabled(string vmUuid, bool enabled) => throw new NotSupportedException();
}
