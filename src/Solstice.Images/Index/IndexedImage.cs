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

    public InstalledImage ToInstalled() => new(ImageManifest.Parse(Encoding.UTF8.GetString(Json.Span), $"index entry {Uuid}"), Pool);
}
