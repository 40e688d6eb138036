using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Images.Sources;

/// <summary>One configured image source: imgapi (an IMGAPI server), docker (a registry) or dir (a directory of manifests and files).</summary>
public sealed record ImageSourceConfig(string Url, string Type, bool Insecure = false)
{
    public static readonly IReadOnlyList<string> Types = ["imgapi", "docker", "dir"];

    /// <summary>imgadm sources -j's object: {url, type, insecure?}.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["url"] = Url, ["type"] = Type };
        if (Insecure)
            json["insecure"] = true;
        return json;
    }

    /// <summary>URLs compare without a trailing slash, as imgadm does.</summary>
    public static string Normalize(string url) => url.Length > 1 ? url.TrimEnd('/') : url;
}

/// <summary>
/// The source list, kept as {"sources": [...]} in imgadm.json beside the node config
/// (/etc/solstice/imgadm.json by default), rewritten atomically. A missing file means no sources.
/// </summary>
public static class SourcesFile
{
    public const string FileName = "imgadm.json";

    /// <summary>The file beside the node config at nodeConfigPath.</summary>
    public static string PathBeside(string nodeConfigPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(nodeConfigPath))!, FileName);

    public static List<ImageSourceConfig> Load(string path)
    {
        if (!File.Exists(path))
            return [];
        try
        {
            var root = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject
                ?? throw new InvalidDataException("not a JSON object");
            var list = new List<ImageSourceConfig>();
            foreach (var item in root["sources"] as JsonArray ?? [])
            {
                if (item is not JsonObject source || source["url"]?.GetValue<string>() is not { Length: > 0 } url)
                    throw new InvalidDataException("every source needs a url");
                string type = source["type"]?.GetValue<string>() ?? "imgapi";
                bool insecure = source["insecure"]?.GetValueKind() == JsonValueKind.True;
                list.Add(new ImageSourceConfig(ImageSourceConfig.Normalize(url), type, insecure));
            }
            return list;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid imgadm config {path}: {ex.Message}", ex);
        }
    }

    public static void Save(string path, IEnumerable<ImageSourceConfig> sources)
    {
        var root = new JsonObject { ["sources"] = new JsonArray(sources.Select(s => (JsonNode)s.ToJson()).ToArray()) };
        AtomicFile.WriteText(path, ImageJson.Serialize(root) + "\n");
    }
}
