using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>An OCI bundle directory: config.json (the root path inside it points at the zone root).</summary>
public static class OciBundle
{
    public const string ConfigFile = "config.json";

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        // Readable golden files: '+' and '&' stay literal. Nothing here is embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Deterministic text: two-space indent, LF line ends, a final newline.</summary>
    public static string Render(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
            node.WriteTo(writer);
        buffer.WriteByte((byte)'\n');
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes bundleDir/config.json atomically, creating bundleDir when missing.</summary>
    public static string Write(string bundleDir, JsonObject config)
    {
        string path = Path.Combine(bundleDir, ConfigFile);
        AtomicFile.WriteText(path, Render(config));
        return path;
    }
}
