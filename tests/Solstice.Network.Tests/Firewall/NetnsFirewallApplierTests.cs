using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Linux;
using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Firewall;

/// <summary>NetnsFirewallApplier over a recording loader: which script goes to which namespace, and how failures are reported.</summary>
public sealed class NetnsFirewallApplierTests
{
    private const string Owner = "00000000-0000-0000-0000-000000000000";
    private const string On = "a0000000-0000-4000-8000-000000000001";
    private const string Off = "b0000000-0000-4000-8000-000000000002";
    private const string Stopped = "c0000000-0000-4000-8000-000000000003";

    private static readonly List<FirewallVm> s_vms =
    [
        new(On, Owner, new Dictionary<string, string>(), ["10.9.0.1"], true),
        new(Off, Owner, new Dictionary<string, string>(), ["10.9.0.2"], false),
        new(Stopped, Owner, new Dictionary<string, string>(), ["10.9.0.3"], true),
    ];

    private static readonly FirewallRule s_rule = FirewallRule.FromPayload(new JsonObject
    {
        ["rule"] = $"FROM any TO vm {On} ALLOW tcp PORT 80",
        ["enabled"] = true,
        ["uuid"] = "99999999-0000-4000-8000-000000000001",
        ["global"] = true,
        ["version"] = "1700000000000.000001",
    });

    private static string? NetnsOf(string uuid) => uuid == Stopped ? null : $"/run/test/netns/{uuid}";

    [Fact]
    public void Apply_loads_each_running_vm_into_its_own_namespace_and_deletes_disabled_tables()
    {
        var loader = new RecordingLoader();
        var applier = new NetnsFirewallApplier(loader, new FixedRuleStore([s_rule]), new FixedVmInventory(s_vms), NetnsOf);

        applier.Apply([]);

        Assert.Equal([NetnsOf(On), NetnsOf(Off)], loader.Loaded.Select(l => l.NetnsPath));
        Assert.Contains("tcp dport 80 counter accept", loader.Loaded[0].Script, StringComparison.Ordinal);
        Assert.Equal("table inet solstice_fw\ndelete table inet solstice_fw\n", loader.Loaded[1].Script);
        Assert.Equal(loader.Loaded[0].Script, applier.LastRulesets[On]);
        Assert.Null(applier.LastRulesets[Off]);
    }

    [Fact]
    public void A_failed_namespace_is_reported_after_the_others_were_loaded()
    {
        var loader = new RecordingLoader { FailIn = NetnsOf(On) };
        var applier = new NetnsFirewallApplier(loader, new FixedRuleStore([s_rule]), new FixedVmInventory(s_vms), NetnsOf);

        var ex = Assert.Throws<SolsticeException>(() => applier.Apply([On, Off]));

        Assert.Equal(ErrorCode.BackendFailed, ex.Code);
        Assert.Equal($"Failed to load the firewall of {On}: Error: no", ex.Message);
        Assert.Equal(2, loader.Loaded.Count);
        Assert.False(applier.LastRulesets.ContainsKey(On));
        Assert.True(applier.LastRulesets.ContainsKey(Off));
    }

    [Fact]
    public void Status_asks_for_the_input_chain_in_the_vms_namespace()
    {
        var loader = new RecordingLoader();
        var applier = new NetnsFirewallApplier(loader, new FixedRuleStore([]), new FixedVmInventory(s_vms), NetnsOf);

        Assert.True(applier.GetStatus(On).Running);
        Assert.False(applier.GetStatus(Stopped).Running);
        Assert.Equal((NetnsOf(On), "list chain inet solstice_fw input"), loader.Loaded.Single());
    }

    private sealed class RecordingLoader : INftLoader
    {
        public List<(string? NetnsPath, string Script)> Loaded { get; } = [];

        public string? FailIn { get; init; }

        public NftOutcome Run(string? netnsPath, string script)
        {
            Loaded.Add((netnsPath, script));
            return netnsPath == FailIn ? new NftOutcome(false, "", "Error: no\n") : new NftOutcome(true, "", "");
        }

        public IReadOnlyList<NftOutcome> RunEach(IReadOnlyList<NftJob> jobs) => jobs.Select(j => Run(j.NetnsPath, j.Script())).ToList();

        public INftSession OpenSession(string? netnsPath) => throw new NotSupportedException();
    }
}
