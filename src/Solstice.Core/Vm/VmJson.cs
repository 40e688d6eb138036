using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// JSON helpers with JavaScript semantics, because vmadm output is produced by <c>JSON.stringify</c> and its
/// list/lookup matching compares <c>String(value)</c>.
/// </summary>
public static class VmJson
{
    private static readonly JsonWriterOptions s_compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonWriterOptions s_indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        SkipValidation = true,
    };

    /// <summary>Like <c>JSON.stringify(node)</c>, or <c>JSON.stringify(node, null, 2)</c> when indented.</summary>
    public static string Stringify(JsonNode? node, bool indented = false)
    {
        if (node is null)
            return "null";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, indented ? s_indented : s_compact))
            node.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>JavaScript <c>String(value)</c>: arrays join with commas, objects become <c>[object Object]</c>.</summary>
    public static string JsString(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonArray array:
                var sb = new StringBuilder();
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        sb.Append(',');
                    if (array[i] is not null)
                        sb.Append(JsString(array[i]));
                }
                return sb.ToString();
            case JsonObject:
                return "[object Object]";
            default:
                var value = node.AsValue();
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => FormatNumber(value),
                    _ => "null",
                };
        }
    }

    public static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    public static bool IsNumber(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    public static bool IsBoolean(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    /// <summary>The string value of a JSON string, else null.</summary>
    public static string? AsString(JsonNode? node) => IsString(node) ? node!.GetValue<string>() : null;

    /// <summary>A JSON number, or a string of an optional minus sign and digits (CLI <c>key=value</c> input).</summary>
    public static bool TryGetInteger(JsonNode? node, out long result)
    {
        result = 0;
        if (node is not JsonValue value)
            return false;
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                if (TryGetNumber(value, out double d) && d == Math.Floor(d) && Math.Abs(d) < 9.0e15)
                {
                    result = value.TryGetValue(out long l) ? l : (long)d;
                    return true;
                }
                return false;
            case JsonValueKind.String:
                string s = value.GetValue<string>();
                return IsIntegerText(s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                return false;
        }
    }

    /// <summary>A JSON boolean, or the strings "true"/"false".</summary>
    public static bool TryGetBoolean(JsonNode? node, out bool result)
    {
        result = false;
        if (node is not JsonValue value)
            return false;
        switch (value.GetValueKind())
        {
            case JsonValueKind.True:
                result = true;
                return true;
            case JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                string s = value.GetValue<string>();
                result = s == "true";
                return s is "true" or "false";
            default:
                return false;
        }
    }

    /// <summary>A list property: a JSON array, or a comma-separated string ("" is the empty list).</summary>
    public static bool TryGetList(JsonNode? node, out List<JsonNode?> items)
    {
        items = [];
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                    items.Add(item);
                return true;
            case JsonValue when AsString(node) is { } text:
                if (text.Length > 0)
                    foreach (string part in text.Split(','))
                        items.Add(JsonValue.Create(part));
                return true;
            default:
                return false;
        }
    }

    public static bool TryGetNumber(JsonNode? node, out double result)
    {
        result = 0;
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
            return false;
        if (value.TryGetValue(out double d))
            result = d;
        else if (value.TryGetValue(out long l))
            result = l;
        else if (value.TryGetValue(out int i))
            result = i;
        else if (value.TryGetValue(out decimal m))
            result = (double)m;
        else if (!double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out result))
            return false;
        return true;
    }

    /// <summary>JavaScript <c>Date.prototype.toISOString</c>: <c>2024-05-01T12:00:00.000Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A deep copy whose keys are in ordinal order at the top level (nested objects keep their order).</summary>
    public static JsonObject SortedCopy(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source.OrderBy(p => p.Key, StringComparer.Ordinal))
            result[key] = value?.DeepClone();
        return result;
    }

    internal static bool IsIntegerText(string s)
    {
        int start = s.StartsWith('-') ? 1 : 0;
        if (s.Length == start || s.Length - start > 18)
            return false;
        for (int i = start; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
                return false;
        }
        return true;
    }

    private static string FormatNumber(JsonValue value)
    {
        if (value.TryGetValue(out long l))
            return l.ToString(CultureInfo.InvariantCulture);
        if (value.TryGetValue(out int i))
            return i.ToString(CultureInfo.InvariantCulture);
        if (!TryGetNumber(value, out double d))
            return value.ToJsonString();
        if (d == Math.Floor(d) && Math.Abs(d) < 1e21)
            return d.ToString("F0", CultureInfo.InvariantCulture);
        return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }
}
