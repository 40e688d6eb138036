using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Network.Firewall.Nft;

/// <summary>
/// Loads each VM's firewall into the VM's own network namespace (table inet solstice_fw, see
/// <see cref="NftFirewallCompiler.CompileZone"/>) through an <see cref="INftLoader"/> (libnftables
/// in-process): the placement for kernels without bridge conntrack, and SmartOS's own (ipf per
/// zone). netnsOf maps a VM uuid to its namespace path, or null when the VM is not running here
/// (nothing to load; its rules are loaded when it starts: call Apply([uuid]) after attaching its nics).
/// </summary>
public sealed class NetnsFirewallApplier(
    INftLoader nft,
    IFirewallRuleStore store,
    IFirewallVmInventory inventory,
    Func<string, string?> netnsOf,
    NftCompilerOptions? options = null) : IFirewallApplier
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
        var zones = uuids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(uuid => (Uuid: uuid, Path: netnsOf(uuid))).Where(z => z.Path is not null).ToList();
        var loaded = new string?[zones.Count];
        var outcomes = nft.RunEach(zones.Select((zone, i) => new NftJob(zone.Path!, () =>
        {
            var ruleset = NftFirewallCompiler.CompileZone(policy, zone.Uuid, _options);
            loaded[i] = ruleset is null ? null : NftRenderer.Render(ruleset);
            return loaded[i] ?? NftRenderer.RenderDelete(NftFirewallCompiler.ZoneFamily, _options.Table);
        })).ToList());
        var errors = new List<string>();
        for (int i = 0; i < zones.Count; i++)
        {
            if (outcomes[i].Succeeded)
                LastRulesets[zones[i].Uuid] = loaded[i];
            else
                errors.Add($"{zones[i].Uuid}: {outcomes[i].Error.Trim()}");
        }
        if (errors.Count > 0)
            throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to load the firewall of {string.Join("; ", errors)}");
    }

    public FirewallStatus GetStatus(string vmUuid)
    {
        string? path = netnsOf(vmUuid);
        bool running = path is not null
            && nft.Run(path, $"list chain {NftFirewallCompiler.ZoneFamily} {_options.Table} input").Succeeded;
        return new FirewallStatus(running,
        [
            new("table", $"{NftFirewallCompiler.ZoneFamily} {_options.Table}"),
            new("netns", path ?? "-"),
        ]);
    }

    /// <summary>Picks the placement: the bridge-family table when the kernel has bridge conntrack, else per-zone.</summary>
    public static IFirewallApplier Choose(
        ICommandRunner runner, INftLoader nft, IFirewallRuleStore store, IFirewallVmInventory inventory, Func<string, string?> netnsOf,
        bool bridgeConntrack, NftCompilerOptions? options = null) =>
        bridgeConntrack
            ? new NftFirewallApplier(runner, store, inventory, options)
            : new NetnsFirewallApplier(nft, store, inventory, netnsOf, options);
}
