using Solstice.Network.Firewall.Nft;

namespace Solstice.Network.Firewall;

/// <summary>Persistence of firewall rules. Implementations are safe for one writer at a time (the node daemon).</summary>
public interface IFirewallRuleStore
{
    /// <summary>Every rule, ordered by uuid.</summary>
    IReadOnlyList<FirewallRule> List();

    /// <summary>The rule, or null when there is none with that uuid.</summary>
    FirewallRule? Get(string uuid);

    /// <summary>Stores a new rule; AlreadyExists when its uuid is taken.</summary>
    void Add(FirewallRule rule);

    /// <summary>Replaces a stored rule; NotFound when there is none with its uuid.</summary>
    void Update(FirewallRule rule);

    /// <summary>Removes a rule; NotFound when there is none.</summary>
    void Delete(string uuid);
}

/// <summary>The node's VMs as the firewall sees them.</summary>
public interface IFirewallVmInventory
{
    /// <summary>Every VM on the node (running or not), for resolving targets and owner scoping.</summary>
    IReadOnlyList<FirewallVm> ListVms();

    /// <summary>The running VMs' host-side links, which the compiled ruleset filters on.</summary>
    IReadOnlyList<VmFirewallTarget> ListTargets();

    /// <summary>Sets the VM's firewall_enabled (fwadm start/stop); NotFound for an unknown VM.</summary>
    void SetFirewallEnabled(string vmUuid, bool enabled);
}

/// <summary>Whether a VM's firewall is loaded, and extra facts for <c>fwadm status -v</c>.</summary>
public sealed record FirewallStatus(bool Running, IReadOnlyList<KeyValuePair<string, string>> Details);

/// <summary>Loads the compiled rules into the host.</summary>
public interface IFirewallApplier
{
    /// <summary>
    /// Recompiles and reloads the firewall of every local VM. affectedVmUuids names the VMs whose rules
    /// changed (for logging; the whole ruleset is replaced atomically either way).
    /// </summary>
    void Apply(IReadOnlyCollection<string> affectedVmUuids);

    FirewallStatus GetStatus(string vmUuid);
}
