using System.Text;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Network.Firewall;

public sealed partial class FwadmCommand
{
    private static readonly string[] s_defaultFields = ["uuid", "enabled", "rule"];

    private static readonly Dictionary<string, int> s_widths = new(StringComparer.Ordinal)
    {
        ["created_by"] = 10, ["description"] = 15, ["enabled"] = 7, ["global"] = 6, ["owner_uuid"] = 36,
        ["rule"] = 20, ["uuid"] = 36, ["version"] = 20,
    };

    private int List()
    {
        DisplayRules(store.List());
        return 0;
    }

    /// <summary>
    /// The rule table of list and rules (cli.js displayRules): JSON with -j; with -p no header, fields
    /// joined by the delimiter (":" unless -d) with the delimiter escaped; otherwise columns padded to
    /// max(default width, longest value) and separated by one space. A false or missing field shows "-".
    /// </summary>
    private void DisplayRules(IReadOnlyList<FirewallRule> rules)
    {
        bool parseable = _options.Has("p");
        if (_options.Has("d") && !parseable)
            throw new FwadmUsageException("-d requires -p");
        if (Json && parseable)
            throw new FwadmUsageException("cannot specify both -j and -p");
        var fields = _options.Value("o") is { } o ? o.Split(',').ToList() : null;
        if (fields is not null)
        {
            var invalid = fields.Where(f => !FirewallRule.Fields.Contains(f)).Order(StringComparer.Ordinal).ToList();
            if (invalid.Count > 0)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid display field{(invalid.Count == 1 ? "" : "s")}: {string.Join(", ", invalid)}");
        }
        var sorted = rules.OrderBy(r => r.Uuid, StringComparer.Ordinal).ToList();
        if (Json)
        {
            WriteJson(new JsonArray(sorted.Select(r => (JsonNode)r.ToJson(fields)).ToArray()));
            return;
        }
        var columns = fields ?? [.. s_defaultFields];
        var rows = sorted.Select(r =>
        {
            var json = r.ToJson(columns);
            return columns.Select(f => Cell(json[f])).ToList();
        }).ToList();
        if (rows.Count == 0)
            return;
        if (parseable)
        {
            string delimiter = _options.Value("d") ?? ":";
            foreach (var row in rows)
                _out.WriteLine(string.Join(delimiter, row.Select(c => delimiter.Length == 0 ? c : c.Replace(delimiter, "\\" + delimiter, StringComparison.Ordinal))));
            return;
        }
        var widths = columns.Select((f, i) => Math.Max(s_widths.GetValueOrDefault(f, 1), rows.Max(r => r[i].Length))).ToList();
        WriteRow(columns.Select(c => c.ToUpperInvariant()).ToList(), widths);
        foreach (var row in rows)
            WriteRow(row, widths);
    }

    private void WriteRow(List<string> cells, List<int> widths)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0)
                sb.Append(' ');
            sb.Append(cells[i].PadRight(widths[i]));
        }
        _out.WriteLine(sb.ToString());
    }

    private static string Cell(JsonNode? node) => node switch
    {
        null => "-",
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "-",
        JsonValue v when v.TryGetValue(out string? s) => s.Length == 0 ? "-" : s,
        _ => node.ToJsonString(),
    };
}
