using System.Globalization;
using System.Text;

namespace Solstice.Network.Firewall;

/// <summary>
/// A rule in the fwrule language: what the parser returns (targets, ports and types in the order
/// written, duplicates kept, Priority only when given) and, after <see cref="Normalize"/>, the canonical
/// form whose <see cref="ToText"/> is the text fwadm stores and prints. Equality is structural.
/// </summary>
public sealed record FwRuleSpec(
    IReadOnlyList<FwTarget> From,
    IReadOnlyList<FwTarget> To,
    FwAction Action,
    FwProtocol Protocol,
    IReadOnlyList<FwPort> Ports,
    IReadOnlyList<FwIcmpType> Types,
    int? Priority = null)
{
    public int EffectivePriority => Priority ?? 0;

    /// <summary>
    /// The canonical form (sdc-fwrule FwRule): each side's targets grouped as wildcard, ip, subnet, tag,
    /// vm, deduplicated and sorted ordinally; a tag given without a value absorbs that tag's valued
    /// entries; ports sorted by start and ICMP types by type then code (stable, duplicates kept); a zero
    /// priority dropped.
    /// </summary>
    public FwRuleSpec Normalize() => this with
    {
        From = NormalizeSide(From),
        To = NormalizeSide(To),
        Ports = Ports.OrderBy(p => p.IsAll ? -1 : p.Start).ToList(),
        Types = Types.OrderBy(t => t.IsAll ? -1 : (t.Type << 8) + (t.Code ?? 0)).ToList(),
        Priority = Priority > 0 ? Priority : null,
    };

    private static List<FwTarget> NormalizeSide(IReadOnlyList<FwTarget> side)
    {
        var result = new List<FwTarget>();
        foreach (var kind in new[] { FwTargetKind.Any, FwTargetKind.AllVms, FwTargetKind.Ip, FwTargetKind.Subnet })
        {
            result.AddRange(side.Where(t => t.Kind == kind).Select(t => t.Value).Distinct()
                .Order(StringComparer.Ordinal).Select(v => new FwTarget(kind, v)));
        }
        var tags = side.Where(t => t.Kind == FwTargetKind.Tag).GroupBy(t => t.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag.Any(t => t.TagValue is null))
            {
                result.Add(FwTarget.Tag(tag.Key));
                continue;
            }
            result.AddRange(tag.Select(t => t.TagValue!).Distinct().Order(StringComparer.Ordinal).Select(v => FwTarget.Tag(tag.Key, v)));
        }
        result.AddRange(side.Where(t => t.Kind == FwTargetKind.Vm).Select(t => t.Value).Distinct()
            .Order(StringComparer.Ordinal).Select(FwTarget.Vm));
        return result;
    }

    /// <summary>The canonical text, as sdc-fwrule's text() prints it (normalising first).</summary>
    public string ToText()
    {
        var n = Normalize();
        var sb = new StringBuilder("FROM ");
        AppendSide(sb, n.From);
        sb.Append(" TO ");
        AppendSide(sb, n.To);
        sb.Append(' ').Append(n.Action == FwAction.Allow ? "ALLOW" : "BLOCK").Append(' ').Append(n.Protocol.Name());
        if (n.Protocol.HasPorts())
        {
            if (n.Ports.Any(p => p.IsRange))
                sb.Append(" PORTS ").AppendJoin(", ", n.Ports);
            else
                AppendList(sb, "PORT", n.Ports.Select(p => p.ToString()).ToList());
        }
        else if (n.Protocol.IsIcmp())
        {
            AppendList(sb, "TYPE", n.Types.Select(t => t.ToString()).ToList());
        }
        if (n.Priority is { } priority)
            sb.Append(" PRIORITY ").Append(priority.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public override string ToString() => ToText();

    private static void AppendSide(StringBuilder sb, IReadOnlyList<FwTarget> side)
    {
        if (side.Count > 1)
            sb.Append('(');
        sb.AppendJoin(" OR ", side);
        if (side.Count > 1)
            sb.Append(')');
    }

    private static void AppendList(StringBuilder sb, string keyword, List<string> items)
    {
        sb.Append(' ');
        if (items.Count > 1)
            sb.Append('(');
        sb.Append(keyword).Append(' ').AppendJoin($" AND {keyword} ", items);
        if (items.Count > 1)
            sb.Append(')');
    }

    public bool Equals(FwRuleSpec? other) =>
        other is not null && Action == other.Action && Protocol == other.Protocol && Priority == other.Priority
        && From.SequenceEqual(other.From) && To.SequenceEqual(other.To)
        && Ports.SequenceEqual(other.Ports) && Types.SequenceEqual(other.Types);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Action);
        hash.Add(Protocol);
        hash.Add(Priority);
        foreach (var t in From)
            hash.Add(t);
        foreach (var t in To)
            hash.Add(t);
        foreach (var p in Ports)
            hash.Add(p);
        foreach (var t in Types)
            hash.Add(t);
        return hash.GetHashCode();
    }
}
