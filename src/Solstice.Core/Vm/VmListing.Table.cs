using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

public static partial class VmListing
{
    /// <summary>
    /// <c>vmadm list</c>: filters, sorts and renders. Each column is left-justified to its minimum width
    /// (longer values overflow, never truncate), columns are joined by two spaces and lines right-trimmed;
    /// a missing value prints <c>-</c>. <c>-p</c> joins unpadded values with ':' and prints missing values as "".
    /// Every line ends with a newline. Throws <see cref="SolsticeException"/> for a bad column, sort key or filter.
    /// </summary>
    public static string List(IEnumerable<JsonObject> vms, VmListOptions options)
    {
        ArgumentNullException.ThrowIfNull(vms);
        ArgumentNullException.ThrowIfNull(options);
        var columns = options.Columns.Select(c => TryGetColumn(c, out var column)
            ? column
            : throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid order field: {c}")).ToList();
        var filters = ParseFilters(options.Filters, VmKeyContext.List);
        var rows = Sort(Filter(vms, filters), options.Sort);

        var sb = new StringBuilder();
        bool header = options.Parsable ? options.ForceHeader : !options.NoHeader;
        var cells = new string[columns.Count];
        if (header)
        {
            for (int i = 0; i < columns.Count; i++)
                cells[i] = columns[i].Header;
            AppendLine(sb, cells, columns, options.Parsable);
        }
        foreach (var vm in rows)
        {
            for (int i = 0; i < columns.Count; i++)
                cells[i] = Cell(vm, columns[i].Key, options.Parsable);
            AppendLine(sb, cells, columns, options.Parsable);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Sorts by comma-list keys (<c>-s</c>): '-' prefix descending, '+' or none ascending. Values compare as
    /// JavaScript's &lt; and &gt; do (numbers numerically, strings by UTF-16 code unit); a VM lacking the key
    /// sorts after those that have it, in either direction. The sort is stable.
    /// </summary>
    public static IReadOnlyList<JsonObject> Sort(IEnumerable<JsonObject> vms, IReadOnlyList<string> sortKeys)
    {
        ArgumentNullException.ThrowIfNull(vms);
        ArgumentNullException.ThrowIfNull(sortKeys);
        var keys = sortKeys.Select(ParseSortKey).ToArray();
        var rows = vms.Select((vm, index) => (Vm: vm, Index: index, Values: keys.Select(k => Resolve(vm, k.Key)).ToArray())).ToList();
        rows.Sort((a, b) =>
        {
            for (int i = 0; i < keys.Length; i++)
            {
                int result = CompareSortValues(a.Values[i], b.Values[i], keys[i].Descending);
                if (result != 0)
                    return result;
            }
            return a.Index.CompareTo(b.Index);
        });
        return [.. rows.Select(r => r.Vm)];
    }

    private static (string Key, bool Descending) ParseSortKey(string spec)
    {
        bool descending = spec.StartsWith('-');
        string key = spec.StartsWith('-') || spec.StartsWith('+') ? spec[1..] : spec;
        if (!IsValidField(key))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid sort field: {spec}");
        return (key, descending);
    }

    private static int CompareSortValues(JsonNode? a, JsonNode? b, bool descending)
    {
        if (a is null || b is null)
            return a is null ? (b is null ? 0 : 1) : -1;
        int result = JsCompare(a, b);
        return descending ? -result : result;
    }

    /// <summary>-1 when JavaScript's <c>a &lt; b</c>, 1 when <c>a &gt; b</c>, else 0 (including NaN).</summary>
    internal static int JsCompare(JsonNode a, JsonNode b)
    {
        bool aString = a is not JsonValue || VmJson.IsString(a);
        bool bString = b is not JsonValue || VmJson.IsString(b);
        if (aString && bString)
            return Math.Sign(string.CompareOrdinal(VmJson.JsString(a), VmJson.JsString(b)));
        double x = ToNumber(a), y = ToNumber(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }

    private static double ToNumber(JsonNode node)
    {
        if (VmJson.TryGetNumber(node, out double number))
            return number;
        if (VmJson.TryGetBoolean(node, out bool flag) && VmJson.IsBoolean(node))
            return flag ? 1 : 0;
        string text = VmJson.JsString(node).Trim();
        if (text.Length == 0)
            return 0;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) ? number : double.NaN;
    }

    private static string Cell(JsonObject vm, string key, bool parsable)
    {
        var value = Resolve(vm, key);
        if (value is null)
            return parsable ? "" : "-";
        string text = VmJson.JsString(value);
        // The list shows type truncated to four characters: OS, LX, KVM, BHYV.
        return key == "type" && text.Length > 4 ? text[..4] : text;
    }

    private static void AppendLine(StringBuilder sb, string[] cells, List<Column> columns, bool parsable)
    {
        int start = sb.Length;
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0)
                sb.Append(parsable ? ":" : "  ");
            sb.Append(cells[i]);
            if (!parsable && cells[i].Length < columns[i].Width)
                sb.Append(' ', columns[i].Width - cells[i].Length);
        }
        int end = sb.Length;
        while (end > start && char.IsWhiteSpace(sb[end - 1]))
            end--;
        sb.Length = end;
        sb.Append('\n');
    }
}
