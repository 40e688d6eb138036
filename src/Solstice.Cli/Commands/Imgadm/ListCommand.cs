using System.Globalization;
using System.Text.Json;
using Solstice.Images;
using Solstice.Images.Index;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm list [-jH] [-o field,...] [-s field,...] [-P pool] [filters]`. Columns default to the
/// spec's uuid,name,version,os,published; headers are the field names uppercased and missing
/// values print as "-". Fields are manifest fields (dotted for nested ones: tags.role) plus the
/// computed published (published_at without milliseconds), published_date/pub (YYYY-MM-DD),
/// size (files[0].size), zpool and clones. Filters: field=value exact, field=~text substring.
/// -s sorts by the given fields, "-field" descending; default published_at,name.
/// </summary>
public static class ListCommand
{
    public const string DefaultColumns = "uuid,name,version,os,published";
    public const string DefaultSort = "published_at,name";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "jH", "osP");
        var rows = new List<Row>();
        foreach (var store in ImgadmTool.OpenStores(context, a.Value('P')))
            rows.AddRange(store.ListIndexed().Select(image => new Row(image, store, null)));
        return Print(rows, a, context);
    }

    /// <summary>Filters, sorts and prints rows as list and avail do; -j prints {manifest, zpool|source} objects.</summary>
    internal static int Print(List<Row> rows, Arguments a, CliContext context)
    {
        string[] columns = Split(a.Value('o') ?? DefaultColumns, "-o");
        string[] sort = Split(a.Value('s') ?? DefaultSort, "-s");
        var filters = a.Positional.Select(ParseFilter).ToList();
        // One scan per manifest for the plain top-level fields the columns, sort and filters use.
        var plan = columns.Concat(sort.Select(f => f.TrimStart('-'))).Concat(filters.Select(f => f.Field))
            .Select(f => f is "published" or "published_date" or "pub" ? "published_at" : f)
            .Where(f => !f.Contains('.') && f is not ("zpool" or "source" or "size" or "clones")).Distinct().ToList();
        var utf8 = plan.Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        var slots = plan.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var row in rows)
            row.Prefetch(slots, utf8);
        if (filters.Count > 0)
            rows.RemoveAll(r => !filters.All(f => f.Matches(r)));
        rows = Sorted(rows, sort);

        if (a.Has('j'))
        {
            using var buffer = new MemoryStream();
            ImageJson.WriteIndented(buffer, writer =>
            {
                writer.WriteStartArray();
                foreach (var row in rows)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("manifest");
                    row.Image.Root.WriteTo(writer);
                    if (row.Source is null)
                        writer.WriteString("zpool", row.Image.Pool);
                    else
                        writer.WriteString("source", row.Source);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            });
            context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            return 0;
        }
        var headers = columns.Select(c => c.ToUpperInvariant()).ToList();
        var cells = new string[rows.Count * columns.Length];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < columns.Length; c++)
                cells[r * columns.Length + c] = rows[r].Value(columns[c]);
        }
        // imgadm's -H drops the header row but keeps the columns aligned (unlike zfs's tab-separated -H).
        TextTable.Write(context.Out, headers, cells, printHeaders: !a.Has('H'));
        return 0;
    }

    /// <summary>
    /// Sorts by the -s fields. The keys sit in one flat array and an index array is sorted, which
    /// allocates nothing per row; the comparisons and so the order of ties are those of sorting the rows themselves.
    /// </summary>
    private static List<Row> Sorted(List<Row> rows, string[] sort)
    {
        var fields = sort.Select(s => (Field: s.TrimStart('-'), Descending: s.StartsWith('-'))).ToArray();
        int count = fields.Length;
        var keys = new (string? Text, decimal? Number)[rows.Count * count];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int f = 0; f < count; f++)
                keys[r * count + f] = Key(rows[r].RawValue(fields[f].Field));
        }
        int[] order = new int[rows.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (x, y) => Compare(keys.AsSpan(x * count, count), keys.AsSpan(y * count, count), fields));
        var sorted = new List<Row>(rows.Count);
        foreach (int i in order)
            sorted.Add(rows[i]);
        return sorted;
    }

    private static string[] Split(string list, string option)
    {
        string[] fields = list.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Any(f => f.Length == 0 || f == "-"))
            throw new UsageException($"list: invalid field list for {option}: '{list}'");
        return fields;
    }

    private static (string? Text, decimal? Number) Key(string? text) =>
        (text, text is not null && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out decimal n) ? n : null);

    /// <summary>Missing values sort first; two numbers compare as numbers, anything else ordinally.</summary>
    private static int Compare(ReadOnlySpan<(string? Text, decimal? Number)> x, ReadOnlySpan<(string? Text, decimal? Number)> y, (string Field, bool Descending)[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            var (a, na) = x[i];
            var (b, nb) = y[i];
            int result = a is null || b is null ? (a is null).CompareTo(b is null)
                : na is { } da && nb is { } db ? da.CompareTo(db)
                : string.CompareOrdinal(a, b);
            if (result != 0)
                return fields[i].Descending ? -result : result;
        }
        return 0;
    }

    private static Filter ParseFilter(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0)
            throw new UsageException($"list: invalid filter '{text}' (expected field=value or field=~substring)");
        string field = text[..eq], value = text[(eq + 1)..];
        return value.StartsWith('~') ? new Filter(field, value[1..], Substring: true) : new Filter(field, value, Substring: false);
    }

    private sealed record Filter(string Field, string Value, bool Substring)
    {
        public bool Matches(Row row) =>
            row.RawValue(Field) is { } actual && (Substring ? actual.Contains(Value, StringComparison.Ordinal) : actual == Value);
    }

    /// <summary>One image: installed (with its store) or available from a source (with the source URL).</summary>
    internal sealed class Row(IndexedImage image, ImageStore? store, string? source)
    {
        private IReadOnlyDictionary<string, int>? _slots;
        private string?[] _values = [];
        private bool[] _complex = [];

        public IndexedImage Image { get; } = image;

        public string? Source { get; } = source;

        public string Value(string field) => RawValue(field) ?? "-";

        /// <summary>Reads the plain top-level fields in one pass; the rest are looked up through the parsed manifest.</summary>
        public void Prefetch(IReadOnlyDictionary<string, int> slots, IReadOnlyList<byte[]> utf8)
        {
            _slots = slots;
            _complex = new bool[utf8.Count];
            _values = Image.TopLevel(utf8, _complex);
        }

        /// <summary>The field as text, or null when the image does not have it.</summary>
        public string? RawValue(string field)
        {
            switch (field)
            {
                case "zpool":
                    return Image.Pool.Length > 0 ? Image.Pool : null;
                case "source":
                    return Source;
                case "size":
                    return Lookup("files.0.size");
                case "clones":
                    return store?.ClonesOf(Image.Uuid).Count.ToString(CultureInfo.InvariantCulture);
                case "published":
                    return Canonical(Lookup("published_at")) is { } at ? string.Concat(at.AsSpan(0, 19), "Z")
                        : Published()?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                case "published_date" or "pub":
                    return Canonical(Lookup("published_at")) is { } day ? day[..10]
                        : Published()?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
            return Lookup(field);
        }

        /// <summary>published_at when already in UTC as YYYY-MM-DDTHH:MM:SS[.fff]Z: cut, not parsed.</summary>
        private static string? Canonical(string? text) =>
            text is { Length: >= 20 } && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':'
                && text[^1] == 'Z' && (text.Length == 20 || text[19] == '.') ? text : null;

        private DateTimeOffset? Published() =>
            Lookup("published_at") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when) ? when : null;

        private string? Lookup(string path)
        {
            if (_slots is not null && _slots.TryGetValue(path, out int slot) && !_complex[slot])
                return _values[slot];
            var node = Image.Root;
            foreach (string part in path.Split('.'))
            {
                if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(part, out var child))
                    node = child;
                else if (node.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < node.GetArrayLength())
                    node = node[i];
                else
                    return null;
            }
            return Text(node);
        }

        private static string? Text(JsonElement node) => node.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => node.GetString(),
            JsonValueKind.Array => string.Join(',', node.EnumerateArray().Select(Text)),
            _ => node.GetRawText(),
        };
    }
}
