using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Network.Firewall.Nft;

/// <summary>
/// Compiles the stored rules for the node's VMs and loads them with <c>nft -f -</c>, replacing the
/// whole table in one transaction. Status asks nft whether the VM's inbound chain is loaded.
/// </summary>
public sealed class NftFirewallApplier(
    ICommandRunner runner,
    IFirewallRuleStore store,
    IFirewallVmInventory inventory,
    NftCompilerOptions? options = null,
    string nft = "nft") : IFirewallApplier
{
    private readonly NftCompilerOptions _options = options ?? new NftCompilerOptions();

    /// <summary>The text the last Apply loaded.</summary>
    public string? LastRuleset { get; private set; }

    public void Apply(IReadOnlyCollection<string> affectedVmUuids)
    {
        var policy = new FirewallPolicy(store.List(), inventory.ListVms());
        string text = NftRenderer.Render(NftFirewallCompiler.Compile(policy, inventory.ListTargets(), _options));
        var result = runner.Run([nft, "-f", "-"], text);
        if (!result.Succeeded)
        {
            string reason = result.StandardError.Trim();
            if (reason.Contains("ct state", StringComparison.Ordinal) && reason.Contains("Protocol error", StringComparison.Ordinal))
                reason += " (the kernel lacks bridge conntrack, nf_conntrack_bridge)";
            throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to load the firewall ruleset: {reason}");
        }
        LastRuleset = text;
    }

    public FirewallStatus GetStatus(string vmUuid)
    {
        string chain = NftFirewallCompiler.ChainBase(vmUuid) + "_in";
        var result = runner.Run([nft, "list", "chain", NftFirewallCompiler.Family, _options.Table, chain]);
        return new FirewallStatus(result.Succeeded,
        [
            new("table", $"{NftFirewallCompiler.Family} {_options.Table}"),
            new("chain", chain),
        ]);
    }

    /// <summary>Removes the table (all VMs unfiltered); used when the node stops managing firewalls.</summary>
    public void Remove()
    {
        var result = runner.Run([nft, "-f", "-"], NftRenderer.RenderDelete(NftFirewallCompiler.Family, _options.Table));
        if (!result.Succeeded)
            throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to remove the firewall table: {result.StandardError.Trim()}");
    }
}
