using System.Globalization;
using System.Net;
using System.Text;
using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

/// <summary>Random rule trees and random ways of writing them, for the property tests.</summary>
internal sealed class RuleGenerator(int seed)
{
    private static readonly string[] s_keywords =
    [
        "FROM", "TO", "ALL", "VMS", "ANY", "IP", "SUBNET", "VM", "TAG", "OR", "AND", "ALLOW", "BLOCK", "TCP", "UDP", "ICMP",
        "ICMP6", "AH", "ESP", "PORT", "PORTS", "TYPE", "CODE", "PRIORITY",
    ];

    private static readonly string s_tagChars = "abcXYZ019_-. \"\\()/=:\t\n\u00e9\u00a0\u2028\u0001\u007f";

    public Random Random { get; } = new(seed);

    public FwRuleSpec Rule()
    {
        var protocol = (FwProtocol)Random.Next(6);
        var from = Side();
        var to = Side();
        if (!from.Concat(to).Any(t => t.SelectsVms))
            to = [FwTarget.AllVms];
        List<FwPort> ports = [];
        List<FwIcmpType> types = [];
        if (protocol.HasPorts())
            ports = Random.Next(8) == 0 ? [FwPort.All] : Enumerable.Range(0, Random.Next(1, 6)).Select(_ => Port()).ToList();
        else if (protocol.IsIcmp())
            types = Random.Next(8) == 0 ? [FwIcmpType.All] : Enumerable.Range(0, Random.Next(1, 6)).Select(_ => new FwIcmpType(Random.Next(256), Random.Next(2) == 0 ? null : Random.Next(256))).ToList();
        int? priority = Random.Next(3) == 0 ? Random.Next(101) : null;
        return new FwRuleSpec(from, to, Random.Next(2) == 0 ? FwAction.Allow : FwAction.Block, protocol, ports, types, priority);
    }

    private List<FwTarget> Side()
    {
        switch (Random.Next(6))
        {
            case 0:
                return [FwTarget.Any];
            case 1:
                return [FwTarget.AllVms];
            default:
                return Enumerable.Range(0, Random.Next(1, 6)).Select(_ => Target()).ToList();
        }
    }

    private FwTarget Target() => Random.Next(4) switch
    {
        0 => FwTarget.Ip(Address(v6: Random.Next(3) == 0, prefix: null)),
        1 => FwTarget.Subnet(Address(v6: Random.Next(3) == 0, prefix: Random.Next(1, 33))),
        2 => FwTarget.Vm(Guid.NewGuid().ToString("D")),
        _ => FwTarget.Tag(TagString(), Random.Next(2) == 0 ? null : TagString()),
    };

    private string Address(bool v6, int? prefix)
    {
        byte[] bytes = new byte[v6 ? 16 : 4];
        Random.NextBytes(bytes);
        bytes[0] = (byte)(v6 ? 0x20 + Random.Next(16) : Random.Next(1, 224));
        string text = new IPAddress(bytes).ToString();
        return prefix is { } p ? $"{text}/{(v6 ? p * 4 : p).ToString(CultureInfo.InvariantCulture)}" : text;
    }

    private FwPort Port()
    {
        int start = Random.Next(1, 65536);
        return Random.Next(3) == 0 ? FwPort.Range(start, Random.Next(start, 65536)) : FwPort.Single(start);
    }

    private string TagString()
    {
        if (Random.Next(2) == 0)
            return "role" + Random.Next(10);
        var sb = new StringBuilder();
        for (int i = Random.Next(0, 8); i > 0; i--)
            sb.Append(s_tagChars[Random.Next(s_tagChars.Length)]);
        return sb.ToString();
    }

    /// <summary>Writes the rule in one of the many accepted surface forms (case, spacing, parentheses, PORTS, quoting).</summary>
    public string Write(FwRuleSpec rule)
    {
        var sb = new StringBuilder();
        Space(sb);
        Keyword(sb, "FROM");
        WriteSide(sb, rule.From);
        Keyword(sb, "TO");
        WriteSide(sb, rule.To);
        Keyword(sb, rule.Action == FwAction.Allow ? "ALLOW" : "BLOCK");
        Keyword(sb, rule.Protocol.Name().ToUpperInvariant());
        if (rule.Protocol.HasPorts())
            WritePorts(sb, rule.Ports);
        else if (rule.Protocol.IsIcmp())
            WriteList(sb, "TYPE", rule.Types.Select(t => t.IsAll ? Case("ALL") : t.Code is { } c ? $"{Num(t.Type)} {Case("CODE")} {Num(c)}" : Num(t.Type)).ToList());
        if (rule.Priority is { } p)
        {
            Keyword(sb, "PRIORITY");
            sb.Append(Num(p)).Append(' ');
        }
        Space(sb);
        return sb.ToString();
    }

    private void WriteSide(StringBuilder sb, IReadOnlyList<FwTarget> side)
    {
        bool parens = side.Count > 1 || Random.Next(4) == 0;
        if (parens)
            sb.Append('(').Append(Random.Next(2) == 0 ? " " : "");
        for (int i = 0; i < side.Count; i++)
        {
            if (i > 0)
                Keyword(sb, "OR");
            var t = side[i];
            switch (t.Kind)
            {
                case FwTargetKind.Any:
                    Keyword(sb, "ANY");
                    break;
                case FwTargetKind.AllVms:
                    Keyword(sb, "ALL");
                    Keyword(sb, "VMS");
                    break;
                case FwTargetKind.Ip or FwTargetKind.Subnet or FwTargetKind.Vm:
                    Keyword(sb, t.Kind.ToString().ToUpperInvariant());
                    sb.Append(t.Value).Append(' ');
                    break;
                default:
                    Keyword(sb, "TAG");
                    sb.Append(TagText(t.Value)).Append(' ');
                    if (t.TagValue is { } v)
                        sb.Append(Random.Next(2) == 0 ? "= " : "=").Append(TagText(v)).Append(' ');
                    break;
            }
        }
        if (parens)
            sb.Append(')').Append(' ');
    }

    private void WritePorts(StringBuilder sb, IReadOnlyList<FwPort> ports)
    {
        if (ports.Any(p => p.IsRange) || (!ports.Any(p => p.IsAll) && Random.Next(3) == 0))
        {
            Keyword(sb, "PORTS");
            sb.AppendJoin(Random.Next(2) == 0 ? ", " : ",", ports.Select(p => p.IsRange ? $"{Num(p.Start)}{(Random.Next(2) == 0 ? " - " : "-")}{Num(p.End)}" : Num(p.Start)));
            sb.Append(' ');
            return;
        }
        WriteList(sb, "PORT", ports.Select(p => p.IsAll ? Case("ALL") : Num(p.Start)).ToList());
    }

    private void WriteList(StringBuilder sb, string keyword, List<string> items)
    {
        bool parens = items.Count > 1 || Random.Next(4) == 0;
        if (parens)
            sb.Append('(');
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                Keyword(sb, "AND");
            Keyword(sb, keyword);
            sb.Append(items[i]).Append(' ');
        }
        if (parens)
            sb.Append(") ");
    }

    private string TagText(string value)
    {
        // A bare word may not start with '-' (that lexes as the range dash), nor be a keyword, nor
        // contain '-' after a keyword prefix ("to-x" lexes as TO '-' x): letters, digits and '_' only.
        bool bare = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && !s_keywords.Any(k => k.Equals(value, StringComparison.OrdinalIgnoreCase));
        return bare && Random.Next(2) == 0 ? value : FwTagText.Quote(value);
    }

    private string Num(int n) => (Random.Next(10) == 0 ? "0" : "") + n.ToString(CultureInfo.InvariantCulture);

    private string Case(string keyword) => Random.Next(2) == 0 ? keyword : keyword.ToLowerInvariant();

    private void Keyword(StringBuilder sb, string keyword)
    {
        sb.Append(Case(keyword));
        Space(sb);
        if (sb.Length > 0 && !char.IsWhiteSpace(sb[^1]))
            sb.Append(' ');
    }

    private void Space(StringBuilder sb)
    {
        switch (Random.Next(6))
        {
            case 0:
                sb.Append("  ");
                break;
            case 1:
                sb.Append('\t');
                break;
            case 2:
                sb.Append('\n');
                break;
        }
    }

    /// <summary>Random text over the rule alphabet, a soup of rule tokens, or a valid rule with a few characters changed.</summary>
    public string Garbage()
    {
        switch (Random.Next(3))
        {
            case 0:
            {
                const string alphabet = "FROMTOfromtoaynlvmsipgAND()=,-/:.\"\\ 0123456789abcdefxyz_\t\n\u00e9\u2028";
                var sb = new StringBuilder();
                for (int i = Random.Next(0, 60); i > 0; i--)
                    sb.Append(Random.Next(20) == 0 ? (char)Random.Next(0, 0x10000) : alphabet[Random.Next(alphabet.Length)]);
                return sb.ToString();
            }
            case 1:
            {
                string[] pieces = [.. s_keywords, "(", ")", "=", ",", "-", "\"x\"", "\"", "1.2.3.4", "fd00::1", "/24", "80", "99999", "foo",
                    Guid.NewGuid().ToString("D"), "all", "vms", "\\u12", "10.0.0.0"];
                return string.Join(Random.Next(4) == 0 ? "" : " ", Enumerable.Range(0, Random.Next(0, 25)).Select(_ => pieces[Random.Next(pieces.Length)]));
            }
            default:
            {
                var sb = new StringBuilder(Write(Rule()));
                for (int i = Random.Next(1, 4); i > 0 && sb.Length > 0; i--)
                {
                    int at = Random.Next(sb.Length);
                    switch (Random.Next(3))
                    {
                        case 0:
                            sb.Remove(at, 1);
                            break;
                        case 1:
                            sb.Insert(at, "()=,-\"\\ x9:"[Random.Next(11)]);
                            break;
                        default:
                            sb[at] = (char)Random.Next(32, 127);
                            break;
                    }
                }
                return sb.ToString();
            }
        }
    }
}
