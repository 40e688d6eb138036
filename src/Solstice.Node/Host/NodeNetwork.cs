using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Linux;
using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using Solstice.Network.Links;

namespace Solstice.Node;

/// <summary>
/// The node's networking as the VM service uses it: nic tags (the node's network.json beside
/// node.json, SmartOS's /usbkey/config role), each running zone's network namespace with its
/// vnics, anti-spoofing, and the per-zone firewall with fwadm's rule store on the pool. It knows
/// the node's VMs from the records' change events (<see cref="OnVmChanged"/>), never by calling
/// back into the VM service, which calls it.
/// </summary>
public sealed class NodeNetwork : IFirewallVmInventory
{
    private readonly string _tagsPath;
    private readonly ICommandRunner _runner = ProcessCommandRunner.Instance;
    private NicTagConfig _tags;
    private readonly ConcurrentDictionary<string, JsonObject> _vms = new(StringComparer.Ordinal);

    public NodeNetwork(string tagsPath, string runDirectory, string firewallDirectory)
    {
        _tagsPath = tagsPath;
        _tags = NicTagConfig.Load(tagsPath);
        new NetworkRestorer(new HostCommands(_runner)).Restore(_tags);
        Links = new ZoneNetwork(_runner, name => _tags.Find(name), new ZoneNetworkOptions
        {
            NetnsDirectory = Path.Combine(runDirectory, "netns"),
            AntiSpoofTable = AntiSpoofTableFor(runDirectory),
        });
        Directory.CreateDirectory(firewallDirectory);
        Rules = new FirewallRuleStore(firewallDirectory);
        Firewall = NetnsFirewallApplier.Choose(_runner, LibNftablesLoader.Instance, Rules, this, NamespaceOf, NetworkProbe.ProbeBridgeConntrack());
    }

    public ZoneNetwork Links { get; }

    /// <summary>
    /// The host-wide anti-spoofing table of the daemon using runDirectory: the node's own
    /// (/run/solstice) keeps the plain name; any other (a test's daemon) gets its own table, so
    /// two daemons never rewrite each other's rules.
    /// </summary>
    public static string AntiSpoofTableFor(string runDirectory)
    {
        if (Path.GetFullPath(runDirectory).TrimEnd('/') == "/run/solstice")
            return AntiSpoofCompiler.DefaultTable;
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(runDirectory)));
        return $"solstice_as_{Convert.ToHexString(hash, 0, 4).ToLowerInvariant()}";
    }

    public FirewallRuleStore Rules { get; }

    public IFirewallApplier Firewall { get; }

    /// <summary>
    /// A VM record was written (vm) or removed (null): the firewall's inventory follows. Records
    /// are replaced, never changed in place, so the object is only read here. The repository calls
    /// this before the VM boots, so the firewall loaded at boot knows the VM.
    /// </summary>
    public void OnVmChanged(string uuid, JsonObject? vm)
    {
        if (vm is null)
            _vms.TryRemove(uuid, out _);
        else
            _vms[uuid] = vm;
    }

    public bool TagExists(string tag) => _tags.Find(tag) is not null;

    /// <summary>Every nic_tag the payload's nics name must exist; one line <c>Invalid nic tag "x"</c> per missing tag, as VM.js prints them.</summary>
    public void CheckTags(JsonObject vm)
    {
        var missing = Nics(vm).Select(n => n.Nic.NicTag).Where(t => !TagExists(t)).Distinct().ToList();
        if (missing.Count > 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, string.Join('\n', missing.Select(t => $"Invalid nic tag \"{t}\"")));
    }

    /// <summary>The zone's network namespace with all its nics, routes and firewall; before its runtime starts.</summary>
    public string Attach(JsonObject vm)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        string netns = Links.CreateNamespace(uuid);
        try
        {
            var nics = Nics(vm);
            if (nics.Count > 0)
                Links.AddNics(uuid, netns, nics, Prefix(vm));
            if (vm["routes"] is JsonObject routes && routes.Count > 0)
                Links.SetRoutes(netns, routes.ToDictionary(r => r.Key, r => VmJson.JsString(r.Value)), Prefix(vm));
            Firewall.Apply([uuid]);
            return netns;
        }
        catch
        {
            Links.DestroyNamespace(uuid);
            throw;
        }
    }

    public void Detach(string uuid) => Links.DestroyNamespace(uuid);

    /// <summary>The directory of the zones' namespace files (one per running zone, named by uuid).</summary>
    public string NamespaceDirectory => Links.Options.NetnsDirectory;

    /// <summary>
    /// Deletes host links of the VM left by a boot cut short (a veth whose zone end never reached
    /// the namespace stays on the host): every z&lt;hash(uuid)&gt;n&lt;index&gt; in the node's namespace.
    /// </summary>
    public int RemoveStrayLinks(string uuid)
    {
        string prefix = LinkNames.HostLink(uuid, 0)[..^1];
        int removed = 0;
        foreach (string link in Directory.Exists("/sys/class/net") ? Directory.GetDirectories("/sys/class/net") : [])
        {
            string name = Path.GetFileName(link);
            if (name.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
            {
                Links.RemoveNic(uuid, index);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>After a daemon restart: learn a running zone's nics again (anti-spoof is reapplied once for all).</summary>
    public void Readopt(JsonObject vm) => Links.Register(VmJson.AsString(vm["uuid"])!, Nics(vm), Prefix(vm));

    /// <summary>Live add_nics/remove_nics: nics are matched by mac, as vmadm keys them.</summary>
    public void UpdateNics(JsonObject before, JsonObject after)
    {
        string uuid = VmJson.AsString(after["uuid"])!;
        var old = Nics(before).ToDictionary(n => n.Nic.Mac ?? "", StringComparer.OrdinalIgnoreCase);
        var now = Nics(after).ToDictionary(n => n.Nic.Mac ?? "", StringComparer.OrdinalIgnoreCase);
        foreach (var (mac, nic) in old)
        {
            if (!now.ContainsKey(mac))
                Links.RemoveNic(uuid, nic.Index);
        }
        var added = now.Where(n => !old.ContainsKey(n.Key)).Select(n => n.Value).ToList();
        if (added.Count > 0)
            Links.AddNics(uuid, Links.NamespacePath(uuid), added, Prefix(after));
        Firewall.Apply([uuid]);
    }

    /// <summary>The zone's namespace path while one is bound there (not a file left by a killed daemon).</summary>
    public string? NamespaceOf(string uuid)
    {
        string path = Links.NamespacePath(uuid);
        return NetworkNamespace.IsBound(path) ? path : null;
    }

    private static string Prefix(JsonObject vm) => VmJson.AsString(vm["brand"]) == "lx" ? "eth" : "net";

    /// <summary>Each nic with its index: the N of its interface netN (vmadm assigns them), else its position.</summary>
    private static IReadOnlyList<(int Index, NicSpec Nic)> Nics(JsonObject vm)
    {
        if (vm["nics"] is not JsonArray array)
            return [];
        var specs = NicSpec.FromVmNics(array);
        var result = new List<(int, NicSpec)>();
        for (int i = 0; i < specs.Count; i++)
        {
            string? name = VmJson.AsString((array[i] as JsonObject)?["interface"]);
            int index = name is not null && int.TryParse(name.AsSpan(3), out int n) ? n : i;
            result.Add((index, specs[i]));
        }
        return result;
    }

    public IReadOnlyList<FirewallVm> ListVms() => _vms.Values.Select(FirewallVm.FromVmJson).ToList();

    public IReadOnlyList<VmFirewallTarget> ListTargets() =>
        Links.Attachments.GroupBy(a => a.VmUuid).Select(g => new VmFirewallTarget(g.Key, g.Select(a => a.HostLink).ToList())).ToList();

    /// <summary>Only fwadm enables a VM's firewall, through the setter its caller passes (<see cref="Fwadm"/>); the appliers never do.</summary>
    void IFirewallVmInventory.SetFirewallEnabled(string vmUuid, bool enabled) =>
        throw new InvalidOperationException("a VM's firewall_enabled is set through the VM service");

    /// <summary>fwadm; enable and disable set firewall_enabled through setFirewallEnabled (a vmadm update by the caller).</summary>
    public int Fwadm(IReadOnlyList<string> args, string? stdin, TextWriter stdout, TextWriter stderr, Action<string, bool> setFirewallEnabled) =>
        new FwadmCommand(Rules, new FwadmInventory(this, setFirewallEnabled), Firewall).Run(args, stdout, stderr, stdin is null ? null : new StringReader(stdin));

    private sealed class FwadmInventory(NodeNetwork network, Action<string, bool> setFirewallEnabled) : IFirewallVmInventory
    {
        public IReadOnlyList<FirewallVm> ListVms() => network.ListVms();

        public IReadOnlyList<VmFirewallTarget> ListTargets() => network.ListTargets();

        public void SetFirewallEnabled(string vmUuid, bool enabled) => setFirewallEnabled(vmUuid, enabled);
    }

    public int Nictagadm(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        new NictagadmCommand(_tagsPath, tag => _vms.Values.Where(vm => Nics(vm).Any(n => n.Nic.NicTag == tag)).Select(vm => VmJson.AsString(vm["uuid"])!).ToList(),
            config =>
            {
                var removed = _tags.Tags.Select(t => t.Name).Except(config.Tags.Select(t => t.Name), StringComparer.Ordinal).ToList();
                _tags = config;
                var restorer = new NetworkRestorer(new HostCommands(_runner));
                foreach (string tag in removed)
                    restorer.RemoveTag(tag);
                restorer.Restore(config);
            }).Run(args, stdout, stderr);
}
