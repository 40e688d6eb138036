using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Images;

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
        string[] columns = Split(a.Value('o') ?? DefaultColumns, "-o");
        string[] sort = Split(a.Value('s') ?? DefaultSort, "-s");
        var filters = a.Positional.Select(ParseFilter).ToList();

        var rows = new List<Row>();
        foreach (var store in ImgadmTool.OpenStores(context, a.Value('P')))
            rows.AddRange(store.List().Select(image => new Row(image, store)));
        rows = rows.Where(r => filters.All(f => f.Matches(r))).ToList();
        rows.Sort((x, y) => Compare(x, y, sort));

        if (a.Has('j'))
        {
            var array = new JsonArray(rows.Select(r => (JsonNode)r.Image.ToJson()).ToArray());
            context.Out.WriteLine(ImageJson.Serialize(array));
            return 0;
        }
        var headers = columns.Select(c => c.ToUpperInvariant()).ToList();
        var cells = rows.Select(r => (IReadOnlyList<string>)columns.Select(r.Value).ToList()).ToList();
        string table = TextTable.Render(headers, cells, scripted: false);
        // imgadm's -H drops the header row but keeps the columns aligned (unlike zfs's tab-separated -H).
        context.Out.Write(a.Has('H') ? table[(table.IndexOf('\n') + 1)..] : table);
        return 0;
    }

    private static string[] Split(string list, string option)
    {
        string[] fields = list.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Any(f => f.Length == 0 || f == "-"))
            throw new UsageException($"list: invalid field list for {option}: '{list}'");
        return fields;
    }

    private static int Compare(Row x, Row y, string[] sort)
    {
        foreach (string spec in sort)
        {
            bool descending = spec.StartsWith('-');
            string field = descending ? spec[1..] : spec;
            string? a = x.RawValue(field), b = y.RawValue(field);
            int result = a is null || b is null ? (a is null).CompareTo(b is null)
                : decimal.TryParse(a, NumberStyles.Number, CultureInfo.InvariantCulture, out decimal da)
                  && decimal.TryParse(b, NumberStyles.Number, CultureInfo.InvariantCulture, out decimal db)
                    ? da.CompareTo(db)
                    : string.CompareOrdinal(a, b);
            if (result != 0)
                return descending ? -result : result;
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

    private sealed class Row(InstalledImage image, ImageStore store)
    {
        public InstalledImage Image { get; } = image;

        public string Value(string field) => RawValue(field) ?? "-";

        /// <summary>The field as text, or null when the image does not have it.</summary>
        public string? RawValue(string field)
        {
            var manifest = Image.Manifest;
            switch (field)
            {
                case "zpool":
                    return Image.Pool;
                case "size":
                    return manifest.File.Size.ToString(CultureInfo.InvariantCulture);
                case "clones":
                    return store.ClonesOf(Image.Uuid).Count.ToString(CultureInfo.InvariantCulture);
                case "published":
                    return manifest.Published?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                case "published_date" or "pub":
                    return manifest.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
            JsonNode? node = manifest.Json;
            foreach (string part in field.Split('.'))
            {
                if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node))
                    return null;
            }
            return Text(node);
        }

        private static string? Text(JsonNode? node) => node?.GetValueKind() switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Array => string.Join(',', node.AsArray().Select(Text)),
            _ => node.ToJsonString(),
        };
    }
}
