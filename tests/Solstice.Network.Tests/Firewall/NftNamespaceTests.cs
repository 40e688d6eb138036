using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.Network.Firewall.Nft;
using Solstice.TestKit;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

/// <summary>
/// Loads compiled rulesets into a real nftables inside a network namespace of its own (never the
/// host's tables), through the same applier the daemon uses, and reads them back with nft -j.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class NftNamespaceTests : IDisposable
{
    private readonly string _namespace = $"solstice-test-{Guid.NewGuid():N}"[..26];
    private readonly string _table = $"solstice_fw_{Guid.NewGuid():N}"[..20];
    private readonly NamespacedRunner _runner;
    private readonly bool _created;

    public NftNamespaceTests()
    {
        _runner = new NamespacedRunner(_namespace);
        if (Privileged.Reason is null)
        {
            var created = ProcessCommandRunner.Instance.Run(["ip", "netns", "add", _namespace]);
            Assert.True(created.Succeeded, created.StandardError);
            _created = true;
        }
    }

    public void Dispose()
    {
        if (_created)
            ProcessCommandRunner.Instance.Run(["ip", "netns", "delete", _namespace]);
    }

    [PrivilegedFact]
    public void Compiled_rulesets_load_replace_atomically_and_list_as_json()
    {
        // Kernels without nf_conntrack_bridge refuse "ct state" in the bridge family; the rest of the
        // ruleset is still checked there.
        bool conntrack = _runner.Run(["nft", "-f", "-"],
            $"table bridge {_table}_probe {{ chain c {{ ct state established accept; }} }}\ndelete table bridge {_table}_probe\n").Succeeded;
        var options = new NftCompilerOptions { Table = _table, Conntrack = conntrack };
        foreach (var (name, policy) in NftCorpus.Cases)
        {
            var store = new FixedRuleStore(policy().Rules);
            var applier = new NftFirewallApplier(_runner, store, new FixedVmInventory(policy().Vms, NftCorpus.Targets), options);
            applier.Apply([]);
            applier.Apply([]);
            var listed = _runner.Run(["nft", "-j", "list", "table", "bridge", _table]);
            Assert.True(listed.Succeeded, $"{name}: {listed.StandardError}");
            var items = JsonNode.Parse(listed.StandardOutput)!["nftables"]!.AsArray();
            var chains = items.Select(i => i?["chain"]?["name"]?.GetValue<string>()).OfType<string>().ToList();
            Assert.Equal(2 + (2 * 3), chains.Count);
            Assert.Contains("prerouting", chains);
            int sets = items.Count(i => i?["set"] is not null);
            Assert.Equal(NftFirewallCompiler.Compile(policy(), NftCorpus.Targets, options).Sets.Count, sets);
            Assert.True(applier.GetStatus(Web).Running, name);
            Assert.False(applier.GetStatus(Off).Running, name);
        }
        new NftFirewallApplier(_runner, new FixedRuleStore([]), new FixedVmInventory([], NftCorpus.Targets), options).Remove();
        Assert.False(_runner.Run(["nft", "list", "table", "bridge", _table]).Succeeded);
    }

    private sealed class NamespacedRunner(string ns) : ICommandRunner
    {
        public CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null) =>
            ProcessCommandRunner.Instance.Run(["ip", "netns", "exec", ns, .. argv], standardInput);

        public CommandResult RunToStream(IReadOnlyList<string> argv, Stream output) => throw new NotSupportedException();

        public CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input) => throw new NotSupportedException();

        public CommandResult RunLogged(IReadOnlyList<string> argv, string logPath) => throw new NotSupportedException();
    }
}
