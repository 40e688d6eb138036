using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using Solstice.TestKit;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

public sealed class FwadmCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-fwadm");
    private readonly FirewallRuleStore _store;
    private readonly FakeInventory _inventory = new();
    private readonly RecordingApplier _applier = new();

    public FwadmCommandTests() => _store = new FirewallRuleStore(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private (int Code, string Out, string Err) Run(string[] args, string? stdin = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new FwadmCommand(_store, _inventory, _applier).Run(args, output, error, stdin is null ? null : new StringReader(stdin));
        return (code, output.ToString(), error.ToString());
    }

    private FirewallRule Only() => Assert.Single(_store.List());

    [Fact]
    public void Add_from_words_stores_the_rule_and_reloads_the_affected_vms()
    {
        var (code, output, error) = Run(["add", "-e", "-O", OwnerA, "FROM", "any", "TO", "tag", "role", "=", "www", "ALLOW", "tcp", "PORT", "80"]);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        var rule = Only();
        Assert.True(rule.Enabled);
        Assert.Equal(OwnerA, rule.OwnerUuid);
        Assert.Equal($"Added rules:\n{rule.Uuid} true    FROM any TO tag \"role\" = \"www\" ALLOW tcp PORT 80\n", output);
        Assert.Equal([[Web]], _applier.Applied);
    }

    [Fact]
    public void Add_needs_an_owner_or_global()
    {
        var (code, _, error) = Run(["add", "FROM any TO all vms ALLOW tcp PORT 22"]);
        Assert.Equal(1, code);
        Assert.Equal("owner_uuid required\n", error);
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Add_reports_parse_errors_and_exits_1()
    {
        var (code, _, error) = Run(["add", "-g", "FROM any TO all vms ALLOW tcp PORT 99999"]);
        Assert.Equal(1, code);
        Assert.Equal("Port number \"99999\" is invalid\n", error);
        (code, _, error) = Run(["-j", "add", "-g", "FROMM any"]);
        Assert.Equal(1, code);
        Assert.Equal("{\n  \"errors\": [\n    {\n      \"message\": \"Error at character 0: 'FROMM', expected: 'FROM', found: word\"\n    }\n  ]\n}\n", error);
    }

    [Fact]
    public void Add_from_a_json_payload_with_several_rules_and_verbose_output()
    {
        string path = Path.Combine(_dir.Path, "payload.json");
        File.WriteAllText(path, $$"""
            {"rules": [
              {"rule": "FROM any TO vm {{Db}} ALLOW tcp PORT 5432", "owner_uuid": "{{OwnerA}}", "enabled": true, "uuid": "aaaaaaaa-0000-4000-8000-000000000001"},
              {"rule": "FROM all vms TO any BLOCK udp PORT 53", "global": true, "description": "no dns", "uuid": "aaaaaaaa-0000-4000-8000-000000000002"}
            ]}
            """);
        var (code, output, _) = Run(["add", "-v", "-f", path]);
        Assert.Equal(0, code);
        Assert.Equal($"""
            Added rules:
            aaaaaaaa-0000-4000-8000-000000000001 true    FROM any TO vm {Db} ALLOW tcp PORT 5432
            aaaaaaaa-0000-4000-8000-000000000002 false   FROM all vms TO any BLOCK udp PORT 53

            VMs affected:
            {Web}
            {Db}
            {Other}
            {Off}

            """, output);
        Assert.Equal("no dns", _store.Get("aaaaaaaa-0000-4000-8000-000000000002")!.Description);
    }

    [Theory]
    [InlineData("""{"rules": "x"}""", "Payload \"rules\" must be an array of objects, not \"x\"\n")]
    [InlineData("""{"rules": {"rule": "FROM any TO all vms ALLOW tcp PORT 22"}}""", "Payload \"rules\" must be an array of objects, not {\"rule\":\"FROM any TO all vms ALLOW tc...\n")]
    [InlineData("""{"rules": [{"rule": "FROM any TO all vms ALLOW tcp PORT 22"}, 5]}""", "Payload \"rules\" must be an array of objects: entry 1 is 5\n")]
    [InlineData("""{"localVMs": "x"}""", "Payload \"localVMs\" must be an array of objects, not \"x\"\n")]
    [InlineData("""{"rules": []}""", "Payload must contain one of: rules, localVMs, remoteVMs\n")]
    public void Add_says_what_is_wrong_with_the_payloads_arrays(string payload, string expected)
    {
        var (code, _, error) = Run(["add"], payload);
        Assert.Equal(1, code);
        Assert.Equal(expected, error);
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Add_reads_a_single_rule_payload_from_stdin()
    {
        var (code, _, _) = Run(["add"], """{"rule": "FROM any TO all vms ALLOW tcp PORT 22", "global": true}""");
        Assert.Equal(0, code);
        Assert.True(Only().Global);
        Assert.Equal(2, Run(["add"]).Code);
    }

    [Fact]
    public void Update_replaces_the_text_and_keeps_the_other_fields()
    {
        Run(["add", "-e", "-g", "--desc", "web", "FROM any TO all vms ALLOW tcp PORT 80"]);
        var rule = Only();
        var (code, output, _) = Run(["update", rule.Uuid, "FROM (tag www OR ip 172.30.0.250) TO tag db ALLOW tcp PORT 5432"]);
        Assert.Equal(0, code);
        var updated = Only();
        Assert.Equal("web", updated.Description);
        Assert.True(updated.Enabled && updated.Global);
        Assert.Equal($"Updated rules:\n{rule.Uuid} true    FROM (ip 172.30.0.250 OR tag \"www\") TO tag \"db\" ALLOW tcp PORT 5432\n", output);

        (code, _, _) = Run(["update", rule.Uuid, "-O", OwnerB]);
        Assert.Equal(0, code);
        Assert.Equal(OwnerB, Only().OwnerUuid);

        Assert.Equal("Unknown rule: aaaaaaaa-0000-4000-8000-000000000009\n",
            Run(["update", "aaaaaaaa-0000-4000-8000-000000000009", "FROM any TO all vms ALLOW tcp PORT 1"]).Err);
    }

    [Fact]
    public void Enable_disable_and_delete()
    {
        Run(["add", "-g", "FROM any TO all vms ALLOW tcp PORT 80"]);
        string uuid = Only().Uuid;
        Assert.Equal($"Enabled rules:\n{uuid} true    FROM any TO all vms ALLOW tcp PORT 80\n", Run(["enable", uuid]).Out);
        Assert.Equal("\n", Run(["enable", uuid]).Out);
        Assert.Equal($"Disabled rules:\n{uuid} false   FROM any TO all vms ALLOW tcp PORT 80\n", Run(["disable", uuid]).Out);
        Assert.Equal($"Deleted rules:\n{uuid} false   FROM any TO all vms ALLOW tcp PORT 80\n", Run(["delete", uuid]).Out);
        Assert.Empty(_store.List());
        Assert.Equal((1, "", $"Unknown rule: {uuid}\n"), Run(["delete", uuid]));
        Assert.Equal((1, "", "Error: invalid UUID \"nope\"\n"), Run(["get", "nope"]));
        Assert.Equal((1, "", "Error: missing UUID\n"), Run(["get"]));
    }

    [Fact]
    public void Dryrun_changes_nothing()
    {
        var (code, output, _) = Run(["add", "--dryrun", "-g", "FROM any TO all vms ALLOW tcp PORT 80"]);
        Assert.Equal(0, code);
        Assert.StartsWith("Added rules:\n", output);
        Assert.Empty(_store.List());
        Assert.Empty(_applier.Applied);
    }

    [Fact]
    public void Get_prints_the_rule_as_json()
    {
        Run(["add", "-g", "FROM any TO all vms ALLOW tcp PORT 80"]);
        var rule = Only();
        Assert.Equal(rule.ToJson().ToJsonString(), JsonNode.Parse(Run(["get", rule.Uuid]).Out)!.ToJsonString());
        Assert.Equal((1, "", "Unknown rule \"aaaaaaaa-0000-4000-8000-000000000009\"\n"), Run(["get", "aaaaaaaa-0000-4000-8000-000000000009"]));
    }

    [Fact]
    public void List_prints_a_table_parseable_lines_or_json()
    {
        _store.Add(Rule("FROM any TO all vms ALLOW tcp PORT 80", uuid: "bbbbbbbb-0000-4000-8000-000000000000", enabled: false));
        _store.Add(Rule("FROM any TO tag \"a:b\" ALLOW tcp PORT 22", uuid: "aaaaaaaa-0000-4000-8000-000000000000", owner: OwnerA));
        string r1 = "FROM any TO tag \"a:b\" ALLOW tcp PORT 22";
        string r2 = "FROM any TO all vms ALLOW tcp PORT 80";
        int width = Math.Max(r1.Length, r2.Length);
        Assert.Equal(
            $"{"UUID",-36} ENABLED {"RULE".PadRight(width)}\n"
            + $"aaaaaaaa-0000-4000-8000-000000000000 true    {r1.PadRight(width)}\n"
            + $"bbbbbbbb-0000-4000-8000-000000000000 -       {r2.PadRight(width)}\n",
            Run(["list"]).Out);
        Assert.Equal("""
            aaaaaaaa-0000-4000-8000-000000000000:true:FROM any TO tag "a\:b" ALLOW tcp PORT 22
            bbbbbbbb-0000-4000-8000-000000000000:-:FROM any TO all vms ALLOW tcp PORT 80

            """, Run(["list", "-p"]).Out);
        Assert.Equal("""
            true|FROM any TO tag "a:b" ALLOW tcp PORT 22|aaaaaaaa-0000-4000-8000-000000000001
            -|FROM any TO all vms ALLOW tcp PORT 80|-

            """.Replace("aaaaaaaa-0000-4000-8000-000000000001", OwnerA, StringComparison.Ordinal), Run(["list", "-p", "-d", "|", "-o", "enabled,rule,owner_uuid"]).Out);
        var json = JsonNode.Parse(Run(["list", "-j", "-o", "rule,enabled"]).Out)!.AsArray();
        Assert.Equal("""[{"enabled":true,"rule":"FROM any TO tag \"a:b\" ALLOW tcp PORT 22"},{"enabled":false,"rule":"FROM any TO all vms ALLOW tcp PORT 80"}]""", Solstice.Core.Vm.VmJson.Stringify(json));
        Assert.Equal((1, "", "Invalid display fields: asdf, bbb\n"), Run(["list", "-o", "uuid,bbb,asdf"]));
        Assert.Equal(2, Run(["list", "-d", "|"]).Code);
        Assert.Equal(2, Run(["list", "-j", "-p"]).Code);
    }

    [Fact]
    public void Table_columns_are_padded_to_the_widest_value()
    {
        _store.Add(Rule("FROM any TO all vms ALLOW tcp PORT 80", uuid: "bbbbbbbb-0000-4000-8000-000000000000"));
        Assert.Equal("ENABLED UUID                                \ntrue    bbbbbbbb-0000-4000-8000-000000000000\n",
            Run(["list", "-o", "enabled,uuid"]).Out);
    }

    [Fact]
    public void Vms_and_rules_answer_from_the_inventory()
    {
        _store.Add(Rule("FROM any TO tag role = db ALLOW tcp PORT 5432", uuid: "aaaaaaaa-0000-4000-8000-000000000000", owner: OwnerA));
        _store.Add(Rule("FROM any TO tag role = www ALLOW tcp PORT 80", uuid: "bbbbbbbb-0000-4000-8000-000000000000"));
        Assert.Equal($"{Db}\n{Off}\n", Run(["vms", "aaaaaaaa-0000-4000-8000-000000000000"]).Out);
        Assert.Equal($"[\n  \"{Web}\",\n  \"{Other}\"\n]\n", Run(["-j", "vms", "bbbbbbbb-0000-4000-8000-000000000000"]).Out);
        Assert.Equal("bbbbbbbb-0000-4000-8000-000000000000:true:FROM any TO tag \"role\" = \"www\" ALLOW tcp PORT 80\n", Run(["rules", "-p", Web]).Out);
        Assert.Equal(Run(["rules", Db]).Out, Run(["vm-rules", Db]).Out);
    }

    [Fact]
    public void Status_start_and_stop()
    {
        _applier.Running.Add(Web);
        Assert.Equal((0, "running\n", ""), Run(["status", Web]));
        Assert.Equal((0, "stopped\n", ""), Run(["status", Db]));
        Assert.Equal("{\n  \"running\": true\n}\n", Run(["status", "-j", Web]).Out);
        Assert.Equal("running: true\nchain: x\n", Run(["status", "-v", Web]).Out);
        Assert.Equal($"Firewall stopped for VM {Web}\n", Run(["stop", Web]).Out);
        Assert.False(_inventory.ListVms().Single(v => v.Uuid == Web).FirewallEnabled);
        Assert.Equal($"Firewall started for VM {Web}\n", Run(["start", Web]).Out);
        Assert.Equal((1, "", "VM 99999999-9999-4999-8999-999999999999 not found\n"), Run(["start", "99999999-9999-4999-8999-999999999999"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("list --bogus")]
    [InlineData("delete")]
    [InlineData("add -O")]
    public void Usage_errors_exit_2(string args) => Assert.Equal(2, Run(args.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Code);

    [Fact]
    public void Help_exits_0_and_unsupported_commands_exit_1()
    {
        Assert.Equal((0, FwadmCommand.Usage, ""), Run(["help"]));
        Assert.Equal(1, Run(["list-rvms"]).Code);
    }

    private sealed class FakeInventory : IFirewallVmInventory
    {
        private readonly List<FirewallVm> _vms = [.. Vms];

        public IReadOnlyList<FirewallVm> ListVms() => _vms;

        public IReadOnlyList<VmFirewallTarget> ListTargets() => [];

        public void SetFirewallEnabled(string vmUuid, bool enabled)
        {
            int i = _vms.FindIndex(v => v.Uuid == vmUuid);
            if (i < 0)
                throw new SolsticeException(ErrorCode.NotFound, $"VM {vmUuid} not found");
            _vms[i] = _vms[i] with { FirewallEnabled = enabled };
        }
    }

    private sealed class RecordingApplier : IFirewallApplier
    {
        public List<IReadOnlyCollection<string>> Applied { get; } = [];

        public HashSet<string> Running { get; } = [];

        public void Apply(IReadOnlyCollection<string> affectedVmUuids) => Applied.Add(affectedVmUuids);

        public FirewallStatus GetStatus(string vmUuid) => new(Running.Contains(vmUuid), [new("chain", "x")]);
    }
}
