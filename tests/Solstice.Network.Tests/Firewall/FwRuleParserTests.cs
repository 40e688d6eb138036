using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

public class FwRuleParserTests
{
    private const string Uuid1 = "b1a9f7e2-5c1d-4e3f-9a8b-7c6d5e4f3a2b";
    private const string Uuid2 = "0f570678-c007-4610-a2c0-bbfcaab9f4e6";

    /// <summary>Input rule → canonical text (sdc-fwrule text()).</summary>
    public static TheoryData<string, string> Canonical => new()
    {
        { "FROM ip 1.2.3.4 TO tag some-tag ALLOW tcp PORT 80", "FROM ip 1.2.3.4 TO tag \"some-tag\" ALLOW tcp PORT 80" },
        { "from any to all vms allow tcp port 22", "FROM any TO all vms ALLOW tcp PORT 22" },
        { "FROM (any) TO (all vms) BLOCK udp PORT 53", "FROM any TO all vms BLOCK udp PORT 53" },
        { "FROM tag role = www TO tag role = db ALLOW tcp PORT 5432", "FROM tag \"role\" = \"www\" TO tag \"role\" = \"db\" ALLOW tcp PORT 5432" },
        { "FROM all vms TO tag \"VM type\" = \"LDAP server\" ALLOW tcp PORT 389", "FROM all vms TO tag \"VM type\" = \"LDAP server\" ALLOW tcp PORT 389" },
        { "FROM (tag b OR tag a = 2 OR tag a = 1 OR ip 10.0.0.2 OR subnet 10.1.0.0/16 OR ip 10.0.0.1) TO all vms ALLOW tcp PORT 1",
          "FROM (ip 10.0.0.1 OR ip 10.0.0.2 OR subnet 10.1.0.0/16 OR tag \"a\" = \"1\" OR tag \"a\" = \"2\" OR tag \"b\") TO all vms ALLOW tcp PORT 1" },
        { "FROM (tag a = 1 OR tag a) TO all vms ALLOW tcp PORT 1", "FROM tag \"a\" TO all vms ALLOW tcp PORT 1" },
        { "FROM (ip 10.0.0.1 OR ip 10.0.0.1) TO all vms ALLOW tcp PORT 1", "FROM ip 10.0.0.1 TO all vms ALLOW tcp PORT 1" },
        { $"FROM (vm {Uuid1} OR vm {Uuid2}) TO any BLOCK tcp PORT 25", $"FROM (vm {Uuid2} OR vm {Uuid1}) TO any BLOCK tcp PORT 25" },
        { "FROM tag www TO any ALLOW tcp (port 443 AND port 80)", "FROM tag \"www\" TO any ALLOW tcp (PORT 80 AND PORT 443)" },
        { "FROM tag www TO any ALLOW tcp ports 80, 443, 8000-8100", "FROM tag \"www\" TO any ALLOW tcp PORTS 80, 443, 8000 - 8100" },
        { "FROM tag www TO any ALLOW tcp ports 443, 80", "FROM tag \"www\" TO any ALLOW tcp (PORT 80 AND PORT 443)" },
        { "FROM tag www TO any ALLOW udp PORTS 20 - 22", "FROM tag \"www\" TO any ALLOW udp PORTS 20 - 22" },
        { "FROM tag www TO any ALLOW udp PORTS 5-5", "FROM tag \"www\" TO any ALLOW udp PORTS 5 - 5" },
        { "FROM tag www TO any ALLOW udp PORT 0080", "FROM tag \"www\" TO any ALLOW udp PORT 80" },
        { "FROM all vms TO any BLOCK tcp PORT all", "FROM all vms TO any BLOCK tcp PORT all" },
        { "FROM all vms TO any BLOCK tcp (PORT ALL)", "FROM all vms TO any BLOCK tcp PORT all" },
        { "FROM any TO all vms ALLOW icmp TYPE 8 CODE 0", "FROM any TO all vms ALLOW icmp TYPE 8 CODE 0" },
        { "FROM any TO all vms ALLOW icmp (TYPE 8 CODE 0 AND TYPE 0 AND type 3 code 4)", "FROM any TO all vms ALLOW icmp (TYPE 0 AND TYPE 3 CODE 4 AND TYPE 8 CODE 0)" },
        { "FROM any TO all vms ALLOW icmp6 type all", "FROM any TO all vms ALLOW icmp6 TYPE all" },
        { "FROM any TO all vms ALLOW icmp6 TYPE 128 CODE 0", "FROM any TO all vms ALLOW icmp6 TYPE 128 CODE 0" },
        { "FROM any TO all vms ALLOW ah", "FROM any TO all vms ALLOW ah" },
        { "FROM any TO all vms ALLOW ESP", "FROM any TO all vms ALLOW esp" },
        { "FROM any TO all vms ALLOW udp (PORT 500 and PORT 4500)", "FROM any TO all vms ALLOW udp (PORT 500 AND PORT 4500)" },
        { "FROM subnet 10.20.30.0/24 TO tag mta BLOCK tcp PORT 25 PRIORITY 1", "FROM subnet 10.20.30.0/24 TO tag \"mta\" BLOCK tcp PORT 25 PRIORITY 1" },
        { "FROM any TO tag mta ALLOW tcp PORT 25 priority 0", "FROM any TO tag \"mta\" ALLOW tcp PORT 25" },
        { "FROM any TO tag mta ALLOW tcp PORT 25 PRIORITY 100", "FROM any TO tag \"mta\" ALLOW tcp PORT 25 PRIORITY 100" },
        { "FROM all vms to (ip 10.2.0.1 OR ip fd22::1234) BLOCK tcp port 25", "FROM all vms TO (ip 10.2.0.1 OR ip fd22::1234) BLOCK tcp PORT 25" },
        { "FROM subnet fd22::/64 TO all vms ALLOW tcp port 443", "FROM subnet fd22::/64 TO all vms ALLOW tcp PORT 443" },
        { "FROM tag \"a\\\"b\" TO all vms ALLOW tcp port 1", "FROM tag \"a\\\"b\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"paren\\(s\\)\" TO all vms ALLOW tcp port 1", "FROM tag \"paren\\(s\\)\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"par(en)\" TO all vms ALLOW tcp port 1", "FROM tag \"par\\(en\\)\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"tab\\there\" TO all vms ALLOW tcp port 1", "FROM tag \"tab\\there\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"\\u00e9t\\u00E9\" TO all vms ALLOW tcp port 1", "FROM tag \"été\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"nbsp\\u00a0\" TO all vms ALLOW tcp port 1", "FROM tag \"nbsp\\u00A0\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"\" TO all vms ALLOW tcp port 1", "FROM tag \"\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag \"slash\\/\" TO all vms ALLOW tcp port 1", "FROM tag \"slash/\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag 80 = 443 TO all vms ALLOW tcp port 1", "FROM tag \"80\" = \"443\" TO all vms ALLOW tcp PORT 1" },
        { "  FROM\tany\nTO all vms ALLOW tcp port 1  ", "FROM any TO all vms ALLOW tcp PORT 1" },
        { "FROM tag fromx TO all vms ALLOW tcp port 1", "FROM tag \"fromx\" TO all vms ALLOW tcp PORT 1" },
        { "FROM tag From TO all vms ALLOW tcp port 1", "FROM tag \"From\" TO all vms ALLOW tcp PORT 1" },
    };

    [Theory]
    [MemberData(nameof(Canonical))]
    public void Parses_and_prints_the_canonical_text(string input, string expected)
    {
        var rule = FwRuleParser.Parse(input);
        Assert.Equal(expected, rule.ToText());
        Assert.Equal(rule.Normalize(), FwRuleParser.Parse(expected).Normalize());
    }

    [Fact]
    public void Parse_tree_keeps_the_written_order_and_shapes()
    {
        var rule = FwRuleParser.Parse("FROM ip 1.2.3.4 TO tag some-tag ALLOW tcp PORT 80");
        Assert.Equal([FwTarget.Ip("1.2.3.4")], rule.From);
        Assert.Equal([FwTarget.Tag("some-tag")], rule.To);
        Assert.Equal(FwAction.Allow, rule.Action);
        Assert.Equal(FwProtocol.Tcp, rule.Protocol);
        Assert.Equal([FwPort.Single(80)], rule.Ports);
        Assert.Null(rule.Priority);

        var ranges = FwRuleParser.Parse("FROM all vms TO any ALLOW udp PORTS 9 - 10, 3 PRIORITY 0");
        Assert.Equal([FwPort.Range(9, 10), FwPort.Single(3)], ranges.Ports);
        Assert.Equal(0, ranges.Priority);

        var icmp = FwRuleParser.Parse("FROM all vms TO any ALLOW icmp (TYPE 8 CODE 0 AND TYPE 3)");
        Assert.Equal([new FwIcmpType(8, 0), new FwIcmpType(3, null)], icmp.Types);
        Assert.Equal([FwTarget.Tag("role", "db")], FwRuleParser.Parse("FROM tag role = db TO any ALLOW ah").From);
    }

    /// <summary>Rules that must fail, with sdc-fwrule's exact messages (its test/invalid.test.js plus our own).</summary>
    public static TheoryData<string, string> Invalid => new()
    {
        { "FROM ip 10.99.99.99.254 TO tag smartdc_role ALLOW tcp port 22", "Error at character 19: '.254 TO tag smartdc_', found: unexpected text" },
        { "FROM foo TO ip 8.8.8.8 ALLOW udp port 53", "Error at character 4: 'foo', expected: '(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag', found: word" },
        { "FROM tag foo TO ip 10.288.0.0 ALLOW udp port 53", "IPv4 address \"10.288.0.0\" is invalid" },
        { "FROM tag foo TO ip fd00::12345 ALLOW udp port 53", "IPv6 address \"fd00::12345\" is invalid" },
        { "FROM tag foo TO subnet 10.350.0.0/24 ALLOW udp port 53", "Subnet \"10.350.0.0/24\" is invalid (bad address component)" },
        { "FROM tag foo TO subnet 10.8.0.0/33 ALLOW udp port 53", "Subnet \"10.8.0.0/33\" is invalid (bad prefix length)" },
        { "FROM tag foo TO subnet fd005::/64 ALLOW udp port 53", "Subnet \"fd005::/64\" is invalid (bad address component)" },
        { "FROM tag foo TO subnet fd00::/130 ALLOW udp port 53", "Subnet \"fd00::/130\" is invalid (bad prefix length)" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW udp port 0", "Port number \"0\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW udp port 65537", "Port number \"65537\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports 1-20-30", "\"1-20-30\" is not a valid port number or range" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports 0-20", "Port number \"0\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports 20-65537", "Port number \"65537\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports 20-bar", "Port number \"bar\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports bar-20", "Port number \"bar\" is invalid" },
        { "FROM tag foo TO subnet 10.8.0.0/24 ALLOW tcp ports 20 - 10", "The end of the range (10) cannot be less than the start (20)" },
        { "FROM vm asdf TO subnet 10.8.0.0/24 ALLOW udp port 50", "UUID \"asdf\" is invalid" },
        { "FROM (all vms OR tag one) TO ip 10.0.0.1 ALLOW udp port 53", "Error at character 13: 'OR', expected: ')', found: OR" },
        { "FROM tag one TO (all vms OR tag two) ALLOW udp port 53", "Error at character 24: 'OR', expected: ')', found: OR" },
        { "FROM (any OR tag one) TO ip 10.0.0.1 ALLOW udp port 53", "Error at character 9: 'OR', expected: ')', found: OR" },
        { "FROM ip 10.0.0.1 TO (any OR tag one) ALLOW udp port 53", "Error at character 24: 'OR', expected: ')', found: OR" },
        { "FROM ip 10.0.0.1 TO all vms ALLOW TCP (port ALL AND port 53)", "Error at character 47: 'AND', expected: 'EOF', 'PRIORITY', ')', found: AND" },
        { "FROM ip 10.0.0.1 TO all vms ALLOW TCP (port 53 AND port ALL)", "Error at character 55: 'ALL', expected: 'WORD', found: ALL" },
        { "FROM tag a TO tag b ALLOW TCP PORT all PRIORITY 101", "Priority level \"101\" is invalid" },
        { "FROM tag a TO tag b ALLOW TCP PORT all PRIORITY immediate", "Priority level \"immediate\" is invalid" },
        { "FROM all vms TO ip 192.168.5.4 BLOCK ICMP TYPE 260", "ICMP type \"260\" is invalid" },
        { "FROM all vms TO ip 192.168.5.4 BLOCK ICMP TYPE 8 CODE 270", "ICMP code \"270\" is invalid" },
        { "invalid", "Error at character 0: 'invalid', expected: 'FROM', found: word" },
        { "", "Error at character 0: '', expected: 'FROM', found: EOF" },
        { "FROMM any TO all vms ALLOW tcp PORT 22", "Error at character 0: 'FROMM', expected: 'FROM', found: word" },
        { "From any TO all vms ALLOW tcp PORT 22", "Error at character 0: 'From', expected: 'FROM', found: word" },
        { "FROM any TO all vms ALLOW tcp PORT 22 garbage", "Error at character 37: 'garbage', expected: 'EOF', 'PRIORITY', ')', 'AND', found: word" },
        { "FROM any TO all vms ALLOW tcp PORT all garbage", "Error at character 38: 'garbage', expected: 'EOF', 'PRIORITY', ')', found: word" },
        { "FROM any TO all vms ALLOW tcp (PORT 1 AND PORT 2 x", "Error at character 48: 'x', expected: 'EOF', 'PRIORITY', ')', 'AND', found: word" },
        { "FROM any TO all vms ALLOW tcp (PORT 1 AND PORT 2 PRIORITY 1", "Error at character 48: 'PRIORITY', expected: ')', 'AND', found: PRIORITY" },
        { "FROM any TO all vms ALLOW", "Error at character 25: '', expected: 'TCP', 'UDP', 'ICMP', 'ICMP6', 'AH', 'ESP', found: EOF" },
        { "FROM any TO all vms ALLOW tcp", "Error at character 29: '', expected: '(', 'PORT', 'PORTS', found: EOF" },
        { "FROM any TO all vms ALLOW tcp PORT", "Error at character 34: '', expected: 'WORD', 'all', found: EOF" },
        { "FROM any TO all vms ALLOW icmp", "Error at character 30: '', expected: '(', 'TYPE', found: EOF" },
        { "FROM any TO all vms ALLOW icmp TYPE 8 foo", "Error at character 37: 'foo', expected: 'EOF', 'PRIORITY', ')', 'AND', 'CODE', found: word" },
        { "FROM any TO all vms ALLOW tcp PORTS 1 2", "Error at character 37: '2', expected: 'EOF', 'PRIORITY', '-', ',', found: word" },
        { "FROM any TO all vms ALLOW tcp PORT 22 PRIORITY 1 x", "Error at character 48: 'x', expected: 'EOF', found: word" },
        { "FROM any TO all vms PASS tcp PORT 22", "Error at character 19: 'PASS', expected: 'TO', 'BLOCK', 'ALLOW', found: word" },
        { "FROM any TO (all vms) PASS tcp PORT 22", "Error at character 21: 'PASS', expected: 'TO', 'BLOCK', 'ALLOW', found: word" },
        { "FROM any TO ip 10.0.0.1 PASS tcp PORT 22", "Error at character 23: 'PASS', expected: 'TO', ')', 'OR', 'BLOCK', 'ALLOW', found: word" },
        { "FROM any TO ip 10.0.0.1 OR tcp PORT 22", "Error at character 23: 'OR', expected: 'TO', 'BLOCK', 'ALLOW', found: OR" },
        { "FROM any all vms ALLOW tcp PORT 22", "Error at character 8: 'all', expected: 'TO', 'BLOCK', 'ALLOW', found: ALL" },
        { "FROM tag a b TO all vms ALLOW tcp PORT 22", "Error at character 10: 'b', expected: 'TO', ')', 'OR', '=', 'BLOCK', 'ALLOW', found: word" },
        { "FROM ip 1.2.3.4 OR ip 1.2.3.5 TO all vms ALLOW tcp PORT 22", "Error at character 15: 'OR', expected: 'TO', 'BLOCK', 'ALLOW', found: OR" },
        { "FROM (ip 1.2.3.4 TO all vms ALLOW tcp PORT 22", "Error at character 16: 'TO', expected: ')', 'OR', found: TO" },
        { "FROM ip TO all vms ALLOW tcp PORT 22", "Error at character 7: 'TO', expected: 'IPV4ADDR', 'IPV6ADDR', found: TO" },
        { "FROM tag TO all vms ALLOW tcp PORT 22", "Error at character 8: 'TO', expected: 'WORD', 'STRING', found: TO" },
        { "FROM tag \"unterminated TO all vms ALLOW tcp PORT 22", "Error at character 9: '\"unterminated TO all', found: unexpected text" },
        { "FROM tag \"bad\\x\" TO all vms ALLOW tcp PORT 22", "Error at character 9: '\"bad\\x\" TO all vms A', found: unexpected text" },
        { "FROM ip 0.0.0.0 TO all vms ALLOW tcp PORT 22", "IPv4 address \"0.0.0.0\" is invalid" },
        { "FROM ip 255.255.255.255 TO all vms ALLOW tcp PORT 22", "IPv4 address \"255.255.255.255\" is invalid" },
        { "FROM ip 01.2.3.4 TO all vms ALLOW tcp PORT 22", "IPv4 address \"01.2.3.4\" is invalid" },
        { "FROM ip 1::2::3 TO all vms ALLOW tcp PORT 22", "IPv6 address \"1::2::3\" is invalid" },
        { $"FROM vm {Uuid1.ToUpperInvariant()} TO any ALLOW tcp PORT 22", $"UUID \"{Uuid1.ToUpperInvariant()}\" is invalid" },
        { "FROM any TO all vms ALLOW tcp PORTS 80-", "Port number \"\" is invalid" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_invalid_rules_with_fwrules_message(string input, string message)
    {
        var ex = Assert.ThrowsAny<FwRuleException>(() => FwRuleParser.Parse(input));
        Assert.Equal(message, ex.Message);
        Assert.Equal("rule", ex.Field);
    }

    [Fact]
    public void Syntax_errors_carry_position_found_and_expected()
    {
        var ex = Assert.Throws<FwRuleSyntaxException>(() => FwRuleParser.Parse("FROM any TO all vms ALLOW tcp PORT 22 garbage"));
        Assert.Equal(37, ex.Position);
        Assert.Equal(38, ex.Offset);
        Assert.Equal("garbage", ex.Text);
        Assert.Equal("word", ex.Found);
        Assert.Equal(["'EOF'", "'PRIORITY'", "')'", "'AND'"], ex.Expected);
    }

    [Fact]
    public void Column_counts_from_the_start_of_the_line()
    {
        var ex = Assert.Throws<FwRuleSyntaxException>(() => FwRuleParser.Parse("FROM any\nTO all vms BOOM tcp PORT 1"));
        Assert.Equal(10, ex.Position);
    }

    [Theory]
    [InlineData(3, "FROM any TO all vms ALLOW tcp PORT 22 PRIORITY 1", "The rule uses a feature (priority levels) newer than this API allows")]
    [InlineData(3, "FROM any TO all vms ALLOW ah", "The rule uses a feature (AH) newer than this API allows")]
    [InlineData(3, "FROM any TO all vms ALLOW esp", "The rule uses a feature (ESP) newer than this API allows")]
    [InlineData(2, "FROM any TO all vms ALLOW icmp6 TYPE 128", "The rule uses a feature (IPv6) newer than this API allows")]
    [InlineData(2, "FROM ip fd00::1 TO all vms ALLOW tcp PORT 1", "The rule uses a feature (IPv6) newer than this API allows")]
    [InlineData(2, "FROM any TO all vms ALLOW icmp TYPE all", "The rule uses a feature (all ICMP types) newer than this API allows")]
    [InlineData(1, "FROM any TO all vms ALLOW tcp PORTS 1-2", "The rule uses a feature (port ranges) newer than this API allows")]
    public void Older_language_versions_refuse_newer_features(int version, string input, string message)
    {
        var ex = Assert.ThrowsAny<FwRuleException>(() => FwRuleParser.Parse(input, new FwParseOptions(MaxVersion: version)));
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("FROM tag foo TO subnet 10.8.0.0/5 ALLOW udp port 53", "Subnet \"10.8.0.0/5\" is invalid (bits set to right of mask)")]
    [InlineData("FROM tag foo TO subnet fd00::/2 ALLOW udp port 53", "Subnet \"fd00::/2\" is invalid (bits set to right of mask)")]
    public void Subnet_mask_is_enforced_only_when_asked(string input, string message)
    {
        FwRuleParser.Parse(input);
        var ex = Assert.ThrowsAny<FwRuleException>(() => FwRuleParser.Parse(input, new FwParseOptions(EnforceSubnetMask: true)));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void TryParse_reports_instead_of_throwing()
    {
        Assert.True(FwRuleParser.TryParse("FROM any TO all vms ALLOW esp", out var rule, out _));
        Assert.Equal(FwProtocol.Esp, rule.Protocol);
        Assert.False(FwRuleParser.TryParse("nope", out _, out var error));
        Assert.IsType<FwRuleSyntaxException>(error);
    }
}
