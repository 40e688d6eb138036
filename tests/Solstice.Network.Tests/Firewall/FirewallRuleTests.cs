using System.Text.Json.Nodes;
using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

public class FirewallRuleTests
{
    private const string ValidRule = "FROM ip 10.0.0.1 TO all vms ALLOW TCP port 53";

    private static string Nips(int n) => "( ip " + string.Join(" OR ip ", Enumerable.Range(0, n).Select(i => $"10.0.0.{i + 1}")) + " )";

    private static string Nports(int n) => "( port " + string.Join(" AND port ", Enumerable.Range(0, n).Select(i => $"1{i}")) + " )";

    private static string Ntypes(int n) => "( type " + string.Join(" AND type ", Enumerable.Range(0, n)) + " )";

    /// <summary>sdc-fwrule test/invalid.test.js's payload cases: field and message.</summary>
    public static TheoryData<string, string, string> InvalidPayloads => new()
    {
        { """{"uuid": "invalid", "rule": "FROM tag foo TO ip 8.8.8.8 ALLOW udp port 53"}""", "uuid", "Invalid rule UUID" },
        { """{"owner_uuid": "invalid", "rule": "FROM tag foo TO ip 8.8.8.8 ALLOW udp port 53"}""", "owner_uuid", "Invalid owner UUID" },
        { $$"""{"created_by": {}, "rule": "{{ValidRule}}"}""", "created_by", "created_by must be a string" },
        { $$"""{"created_by": ["asdf"], "rule": "{{ValidRule}}"}""", "created_by", "created_by must be a string" },
        { $$"""{"description": 42, "rule": "{{ValidRule}}"}""", "description", "description must be a string" },
        { $$"""{"description": "{{new string('0', 256)}}", "rule": "{{ValidRule}}"}""", "description", "description must be shorter than 255 characters" },
        { """{"rule": "FROM any TO any ALLOW TCP port 53"}""", "rule", "rule does not affect VMs" },
        { """{"rule": "FROM ip 10.8.0.1 TO subnet 10.9.0.0/16 ALLOW TCP port 53"}""", "rule", "rule does not affect VMs" },
        { $$"""{"rule": "FROM {{Nips(25)}} TO all vms ALLOW TCP port 53"}""", "rule", "maximum of 24 targets allowed per side" },
        { $$"""{"rule": "FROM all vms TO {{Nips(25)}} BLOCK TCP port 53"}""", "rule", "maximum of 24 targets allowed per side" },
        { $$"""{"rule": "FROM all vms TO ip 192.168.5.4 BLOCK TCP {{Nports(25)}}"}""", "rule", "maximum of 24 ports allowed" },
        { """{"rule": "FROM all vms TO ip fd00::45 BLOCK ICMP TYPE 8"}""", "rule", "rule affects ICMPv4 but contains a non-IPv4 address" },
        { """{"rule": "FROM all vms TO subnet fe80::/64 BLOCK ICMP TYPE 8"}""", "rule", "rule affects ICMPv4 but contains a non-IPv4 subnet" },
        { """{"rule": "FROM all vms TO ip 1.2.3.4 BLOCK ICMP6 TYPE 128"}""", "rule", "rule affects ICMPv6 but contains a non-IPv6 address" },
        { """{"rule": "FROM all vms TO subnet 10.0.0.0/8 BLOCK ICMP6 TYPE 128"}""", "rule", "rule affects ICMPv6 but contains a non-IPv6 subnet" },
        { $$"""{"rule": "FROM all vms TO ip 192.168.5.4 BLOCK ICMP {{Ntypes(25)}}"}""", "rule", "maximum of 24 types allowed" },
        { "{}", "rule", "No rule specified" },
    };

    [Theory]
    [MemberData(nameof(InvalidPayloads))]
    public void Invalid_payloads_are_refused_with_the_field_and_message(string json, string field, string message)
    {
        var ex = Assert.ThrowsAny<FwRuleException>(() => FirewallRule.FromPayload(JsonNode.Parse(json)!.AsObject()));
        Assert.Equal(field, ex.Field);
        Assert.Equal(message, ex.Errors[0].Message);
    }

    [Fact]
    public void Old_language_versions_allow_only_eight_ports()
    {
        var payload = new JsonObject { ["rule"] = $"FROM all vms TO ip 192.168.5.4 BLOCK TCP {Nports(9)}" };
        var ex = Assert.ThrowsAny<FwRuleException>(() => FirewallRule.FromPayload(payload, new FirewallRuleOptions { Parse = new FwParseOptions(MaxVersion: 3) }));
        Assert.Equal("maximum of 8 ports allowed", ex.Message);
    }

    [Fact]
    public void Every_invalid_field_is_reported_at_once_in_fwrules_order()
    {
        var payload = JsonNode.Parse("""{"enabled": "invalid", "log": "invalid", "rule": "invalid", "owner_uuid": "invalid", "uuid": "invalid"}""")!.AsObject();
        var ex = Assert.ThrowsAny<FwRuleException>(() => FirewallRule.FromPayload(payload));
        Assert.Equal(
        [
            new FwRuleError("rule", "Error at character 0: 'invalid', expected: 'FROM', found: word"),
            new FwRuleError("uuid", "Invalid rule UUID"),
            new FwRuleError("owner_uuid", "Invalid owner UUID"),
            new FwRuleError("enabled", "enabled must be true or false"),
            new FwRuleError("log", "log must be true or false"),
        ], ex.Errors);
    }

    [Theory]
    [InlineData("""{"rule": "FROM any TO all vms ALLOW tcp port 80", "global": "asdf"}""", "global", "global must be true or false")]
    [InlineData("""{"rule": "FROM any TO all vms ALLOW tcp port 80", "global": true, "owner_uuid": "e7d9d022-6272-11e3-a746-131978000f45"}""", "global", "cannot specify both global and owner_uuid")]
    [InlineData("""{"rule": "FROM any to all vms ALLOW tcp port 80"}""", "owner_uuid", "owner_uuid required")]
    public void Enforcing_global_needs_exactly_one_of_owner_and_global(string json, string field, string message)
    {
        var ex = Assert.ThrowsAny<FwRuleException>(() => FirewallRule.FromPayload(JsonNode.Parse(json)!.AsObject(), new FirewallRuleOptions { EnforceGlobal = true }));
        Assert.Equal(field, ex.Field);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Defaults_and_serialisation_follow_fwrule()
    {
        var rule = FirewallRule.FromPayload(new JsonObject { ["rule"] = "FROM any TO all vms ALLOW tcp port 22" },
            new FirewallRuleOptions { NewUuid = () => "5c3ea269-75b8-42fa-badc-956684fb4d4e", Version = "1.000001" });
        Assert.False(rule.Enabled);
        Assert.False(rule.Log);
        Assert.True(rule.Global);
        Assert.Equal(
            """{"enabled":false,"global":true,"log":false,"rule":"FROM any TO all vms ALLOW tcp PORT 22","uuid":"5c3ea269-75b8-42fa-badc-956684fb4d4e","version":"1.000001"}""",
            rule.ToJson().ToJsonString());
        var owned = FirewallRule.FromPayload(JsonNode.Parse(
            """{"rule": "FROM any TO all vms ALLOW tcp port 22 PRIORITY 3", "enabled": "true", "owner_uuid": "e7d9d022-6272-11e3-a746-131978000f45", "description": "d", "created_by": "me", "log": true, "version": "7.000001", "uuid": "5c3ea269-75b8-42fa-badc-956684fb4d4e"}""")!.AsObject());
        Assert.Equal(3, owned.Priority);
        Assert.Equal(
            """{"created_by":"me","description":"d","enabled":true,"log":true,"owner_uuid":"e7d9d022-6272-11e3-a746-131978000f45","rule":"FROM any TO all vms ALLOW tcp PORT 22 PRIORITY 3","uuid":"5c3ea269-75b8-42fa-badc-956684fb4d4e","version":"7.000001"}""",
            owned.ToJson().ToJsonString());
        Assert.Equal(owned, FirewallRule.FromPayload(owned.ToPayload()));
        Assert.Equal("""{"rule":"FROM any TO all vms ALLOW tcp PORT 22 PRIORITY 3","uuid":"5c3ea269-75b8-42fa-badc-956684fb4d4e"}""",
            owned.ToJson(["uuid", "rule"]).ToJsonString());
    }

    [Fact]
    public void Version_is_milliseconds_and_a_six_digit_pid()
    {
        var time = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123));
        Assert.Matches(@"^1700000000123\.\d{6,}$", FirewallRule.NewVersion(time));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
