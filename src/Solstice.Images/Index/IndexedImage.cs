using System.Text;
using System.Text.Json;

namespace Solstice.Images.Index;

/// <summary>
/// One image of a pool's index: its manifest as compact UTF-8 JSON, exactly as installed, parsed
/// only on demand. Listing thousands of images reads these without building a JsonNode per image.
/// </summary>
public sealed class IndexedImage(Guid uuid, ReadOnlyMemory<byte> json, string pool)
{
    private JsonElement? _root;

    public Guid Uuid { get; } = uuid;

    public string Pool { get; } = pool;

    public ReadOnlyMemory<byte> Json { get; } = json;

    /// <summary>The manifest as a read-only JSON element (parsed once, on first use).</summary>
    public JsonElement Root => _root ??= JsonDocument.Parse(Json).RootElement;

    /// <summary>A top-level string field, or null when absent or not a string.</summary>
    public string? String(string field) =>
        Root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// Reads the named top-level fields in one pass, without building a document: strings decoded,
    /// numbers and booleans as their JSON text, null when absent or null. An object or array value
    /// comes back null with complex[i] set, for the caller to read through Root.
    /// </summary>
    public string?[] TopLevel(IReadOnlyList<byte[]> names, bool[] complex)
    {
        var values = new string?[names.Count];
        var reader = new Utf8JsonReader(Json.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return values;
        int found = 0;
        while (found < names.Count && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int index = -1;
            for (int i = 0; i < names.Count && index < 0; i++)
            {
                if (reader.ValueTextEquals(names[i]))
                    index = i;
            }
            reader.Read();
            if (index < 0)
            {
                reader.Skip();
                continue;
            }
            found++;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    values[index] = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    values[index] = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    values[index] = reader.TokenType == JsonTokenType.True ? "true" : "false";
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    complex[index] = true;
                    reader.Skip();
                    break;
            }
        }
        return values;
    }

    public InstalledImage ToInstalled() => new(ImageManifest.ParseInstalled(Encoding.UTF8.GetString(Json.Span), $"index entry {Uuid}"), Pool);
}
