namespace Solstice.Network.Firewall;

/// <summary>
/// The addresses on the far side of a rule as seen from one of its VMs: any address, or a list of hosts
/// and prefixes (possibly empty, when its vm and tag targets match no VM with addresses).
/// </summary>
public sealed record FwPeers(bool AnyAddress, IReadOnlyList<FwAddress> Addresses)
{
    public IEnumerable<FwAddress> V4 => Addresses.Where(a => !a.IsV6);

    public IEnumerable<FwAddress> V6 => Addresses.Where(a => a.IsV6);
}

/// <summary>
/// One rule as enforced on one VM: inbound when the VM is on its TO side, outbound when on its FROM
/// side (a VM on both sides gets both). Peers resolve the other side.
/// </summary>
public sealed record EffectiveRule(FirewallRule Rule, FwDirection Direction, FwPeers Peers)
{
    public FwAction Action => Rule.Spec.Action;

    /// <summary>
    /// A priority-0 rule that agrees with the default (inbound BLOCK, outbound ALLOW) can never decide a
    /// packet: every rule it could lose to sorts before it, and after it only the default remains.
    /// </summary>
    public bool IsNoOp => Rule.Priority == 0 && (Direction == FwDirection.Inbound ? Action == FwAction.Block : Action == FwAction.Allow);
}

/// <summary>
/// The rule semantics of smartos-interfaces.md §5.2 over a set of rules and VMs: which VMs a rule
/// selects, which rules concern a VM, and the ordered list of rules enforced on a VM.
/// </summary>
public sealed class FirewallPolicy
{
    private readonly Dictionary<string, FirewallVm> _vms;
    private readonly Dictionary<string, IReadOnlyList<FwAddress>> _addresses;

    public FirewallPolicy(IEnumerable<FirewallRule> rules, IEnumerable<FirewallVm> vms)
    {
        Rules = rules.OrderBy(r => r.Uuid, StringComparer.Ordinal).ToList();
        Vms = vms.OrderBy(v => v.Uuid, StringComparer.Ordinal).ToList();
        _vms = Vms.ToDictionary(v => v.Uuid, StringComparer.Ordinal);
        _addresses = Vms.ToDictionary(v => v.Uuid, v => v.ParseAddresses(), StringComparer.Ordinal);
    }

    public IReadOnlyList<FirewallRule> Rules { get; }

    public IReadOnlyList<FirewallVm> Vms { get; }

    public FirewallVm? FindVm(string uuid) => _vms.GetValueOrDefault(uuid);

    /// <summary>
    /// The VMs a side of a rule selects through vm, tag and all-vms targets. An owned rule selects only
    /// its owner's VMs; a global rule selects any VM. Ordered by uuid.
    /// </summary>
    public IReadOnlyList<FirewallVm> VmsOnSide(FirewallRule rule, IReadOnlyList<FwTarget> side) =>
        Vms.Where(vm => OwnerMatches(rule, vm) && side.Any(t => Selects(t, vm))).ToList();

    /// <summary>
    /// <c>fwadm vms</c>: the VMs a rule touches on either side, through vm, tag and all-vms targets or an
    /// ip target equal to one of the VM's addresses, owner-scoped, enabled firewall or not.
    /// </summary>
    public IReadOnlyList<string> AffectedVms(FirewallRule rule, bool includeDisabled = true) =>
        Vms.Where(vm => (includeDisabled || vm.FirewallEnabled) && Mentions(rule, vm)).Select(vm => vm.Uuid).ToList();

    /// <summary><c>fwadm rules</c>: every rule (enabled or not) that touches the VM as <see cref="AffectedVms"/> counts it.</summary>
    public IReadOnlyList<FirewallRule> RulesForVm(string vmUuid) =>
        _vms.TryGetValue(vmUuid, out var vm) ? Rules.Where(r => Mentions(r, vm)).ToList() : [];

    /// <summary>
    /// The enabled rules enforced on the VM, in evaluation order: higher priority first; at equal
    /// priority the rule that goes against the default first (inbound ALLOW before BLOCK, outbound BLOCK
    /// before ALLOW), so it wins; then by protocol and rule uuid, which only makes the order stable.
    /// Empty for an unknown VM. The VM's firewall_enabled is not consulted here.
    /// </summary>
    public IReadOnlyList<EffectiveRule> EffectiveRules(string vmUuid)
    {
        if (!_vms.TryGetValue(vmUuid, out var vm))
            return [];
        var result = new List<EffectiveRule>();
        foreach (var rule in Rules.Where(r => r.Enabled && OwnerMatches(r, vm)))
        {
            if (rule.Spec.To.Any(t => Selects(t, vm)))
                result.Add(new EffectiveRule(rule, FwDirection.Inbound, ResolvePeers(rule, rule.Spec.From)));
            if (rule.Spec.From.Any(t => Selects(t, vm)))
                result.Add(new EffectiveRule(rule, FwDirection.Outbound, ResolvePeers(rule, rule.Spec.To)));
        }
        return result
            .OrderBy(e => e.Direction)
            .ThenByDescending(e => e.Rule.Priority)
            .ThenBy(e => e.Action == (e.Direction == FwDirection.Inbound ? FwAction.Allow : FwAction.Block) ? 0 : 1)
            .ThenBy(e => e.Rule.Spec.Protocol)
            .ThenBy(e => e.Rule.Uuid, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The addresses of a rule side: ip and subnet targets as written (subnets masked to their network),
    /// and the addresses of the VMs its vm, tag and all-vms targets select. For those, an owned rule
    /// skips VMs of another owner, as fwadm does.
    /// </summary>
    public FwPeers ResolvePeers(FirewallRule rule, IReadOnlyList<FwTarget> side)
    {
        if (side.Any(t => t.Kind == FwTargetKind.Any))
            return new FwPeers(true, []);
        var addresses = new List<FwAddress>();
        foreach (var target in side)
        {
            if (target.Kind is FwTargetKind.Ip or FwTargetKind.Subnet && FwAddress.TryParse(target.Value, out var address))
                addresses.Add(address.Network);
        }
        foreach (var vm in Vms.Where(vm => OwnerMatches(rule, vm) && side.Any(t => Selects(t, vm))))
            addresses.AddRange(_addresses[vm.Uuid]);
        return new FwPeers(false, addresses.Distinct().OrderBy(a => a, Comparer<FwAddress>.Create(FwAddress.Compare)).ToList());
    }

    private static bool OwnerMatches(FirewallRule rule, FirewallVm vm) =>
        rule.OwnerUuid is null || string.Equals(rule.OwnerUuid, vm.OwnerUuid, StringComparison.Ordinal);

    private static bool Selects(FwTarget target, FirewallVm vm) => target.Kind switch
    {
        FwTargetKind.AllVms => true,
        FwTargetKind.Vm => string.Equals(target.Value, vm.Uuid, StringComparison.Ordinal),
        FwTargetKind.Tag => vm.Tags.TryGetValue(target.Value, out string? value)
                            && (target.TagValue is null || string.Equals(target.TagValue, value, StringComparison.Ordinal)),
        _ => false,
    };

    private bool Mentions(FirewallRule rule, FirewallVm vm)
    {
        if (!OwnerMatches(rule, vm))
            return false;
        foreach (var target in rule.Spec.From.Concat(rule.Spec.To))
        {
            if (Selects(target, vm))
                return true;
            if (target.Kind == FwTargetKind.Ip && FwAddress.TryParse(target.Value, out var ip) && _addresses[vm.Uuid].Contains(ip))
                return true;
        }
        return false;
    }
}
