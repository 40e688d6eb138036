using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Network.Firewall.Nft;

/// <summary>
/// Loads each VM's firewall into the VM's own network namespace (table inet solstice_fw, see
/// <see cref="NftFirewallCompiler.CompileZone"/>) with <c>nsenter --net=&lt;path&gt; nft -f -</c>: the
/// placement for kernels without bridge conntrack, and SmartOS's own (ipf per zone). netnsOf maps a
/// VM uuid to its namespace path, or null when the VM is not running here (nothing to load; its
/// rules are loaded when it starts: call Apply([uuid]) after attaching its nics).
/// </summary>
public sealed class NetnsFirewallApplier(
    ICommandRunner runner,
    IFirewallRuleStore store,
    IFirewallVmInventory inventory,
    Func<string, string?> netnsOf,
    NftCompilerOptions? options = null,
    string nft = "nft") : IFirewallApplier
{
    private readonly NftCompilerOptions _options = options ?? new NftCompilerOptions();

    /// <summary>What the last Apply loaded, by VM (null: the table was removed).</summary>
    public Dictionary<string, string?> LastRulesets { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reloads the firewall of the affected VMs, or of every VM with a namespace when affectedVmUuids
    /// is empty. Each VM's table is replaced atomically; a failure is reported after trying every VM.
    /// </summary>
    public void Apply(IReadOnlyCollection<string> affectedVmUuids)
    {
        var vms = inventory.ListVms();
        var policy = new FirewallPolicy(store.List(), vms);
        IEnumerable<string> uuids = affectedVmUuids.Count > 0 ? affectedVmUuids : vms.Select(v => v.Uuid);
        var errors = new List<string>();
        foreach (string uuid in uuids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (netnsOf(uuid) is not { } path)
                continue;
            var ruleset = NftFirewallCompiler.CompileZone(policy, uuid, _options);
            string text = ruleset is null
                ? NftRenderer.RenderDelete(NftFirewallCompiler.ZoneFamily, _options.Table)
                : NftRenderer.Render(ruleset);
            var result = runner.Run(["nsenter", "--net=" + path, nft, "-f", "-"], text);
            if (result.Succeeded)
                LastRulesets[uuid] = ruleset is null ? null : text;
            else
                errors.Add($"{uuid}: {result.StandardError.Trim()}");
        }
        if (errors.Count > 0)
            throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to load the firewall of {string.Join("; ", errors)}");
    }

    public FirewallStatus GetStatus(string vmUuid)
    {
        string? path = netnsOf(vmUuid);
        bool running = path is not null
            && runner.Run(["nsenter", "--net=" + path, nft, "list", "chain", NftFirewallCompiler.ZoneFamily, _options.Table, "input"]).Succeeded;
        return new FirewallStatus(running,
        [
            new("table", $"{NftFirewallCompiler.ZoneFamily} {_options.Table}"),
            new("netns", path ?? "-"),
        ]);
    }

    /// <summary>Picks the placement: the bridge-family table when the kernel has bridge conntrack, else per-zone.</summary>
    public static IFirewallApplier Choose(
        ICommandRunner runner, IFirewallRuleStore store, IFirewallVmInventory inventory, Func<string, string?> netnsOf, bool bridgeConntrack,
        NftCompilerOptions? options = null) =>
        bridgeConntrack
            ? new NftFirewallApplier(runner, store, inventory, options)
            : new NetnsFirewallApplier(runner, store, inventory, netnsOf, options);
}
