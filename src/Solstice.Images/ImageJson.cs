using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Solstice.Images;

/// <summary>
/// JSON output as imgadm prints it (JSON.stringify with two-space indent): no escaping of '+',
/// '&lt;' or non-ASCII, which the default encoder would turn into \uXXXX.
/// </summary>
public static class ImageJson
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line, no indentation, same escaping: the form kept in the index cache.</summary>
    public static byte[] SerializeCompactUtf8(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_compact))
            node.WriteTo(writer);
        return buffer.ToArray();
    }

    /// <summary>Writes an already-parsed element indented, as imgadm prints JSON.</summary>
    public static void WriteIndented(Stream output, Action<Utf8JsonWriter> write)
    {
        using var writer = new Utf8JsonWriter(output, s_options);
        write(writer);
    }

    public static string Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_options))
            node.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
