using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Images.Sources;

/// <summary>
/// A directory (url: a path or file:///path) of image manifests NAME.json beside their files: the
/// file of NAME.json is the other file whose name starts with "NAME." (NAME.tar.gz, NAME.file, …),
/// as imgadm create and the image build scripts write them. Files that are not valid manifests are skipped.
/// </summary>
public sealed class DirectorySource(ImageSourceConfig config) : IImageSource
{
    public ImageSourceConfig Config { get; } = config;

    public string Directory => Config.Url.StartsWith("file://", StringComparison.Ordinal) ? new Uri(Config.Url).LocalPath : Config.Url;

    public void Ping()
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new SolsticeException(ErrorCode.Unavailable, $"image source {Config.Url}: directory {Directory} does not exist");
    }

    public IReadOnlyList<JsonObject> ListImages() => Scan().Select(e => e.Manifest).ToList();

    public JsonObject? GetManifest(Guid uuid) => Find(uuid)?.Manifest;

    public Stream OpenFile(Guid uuid, out long? length)
    {
        var entry = Find(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"image source {Config.Url}: no image {uuid}");
        string file = entry.File ?? throw new SolsticeException(ErrorCode.NotFound,
            $"image source {Config.Url}: no file beside {entry.ManifestPath} (expected {Path.GetFileNameWithoutExtension(entry.ManifestPath)}.*)");
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        length = stream.Length;
        return stream;
    }

    public void Dispose()
    {
    }

    private Entry? Find(Guid uuid)
    {
        // The common layouts first: <uuid>.json, then a full scan for NAME-VERSION.json.
        string direct = Path.Combine(Directory, $"{uuid}.json");
        if (Read(direct) is { } hit && hit.Uuid == uuid)
            return hit;
        return Scan().FirstOrDefault(e => e.Uuid == uuid);
    }

    private IEnumerable<Entry> Scan()
    {
        Ping();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            if (Read(path) is { } entry)
                yield return entry;
        }
    }

    private static Entry? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (json?["uuid"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String
            || !Guid.TryParseExact(value.GetValue<string>(), "D", out var uuid))
            return null;
        string stem = Path.GetFileNameWithoutExtension(path) + ".";
        string? file = System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(path)!, stem + "*")
            .Where(f => f != path && !f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).FirstOrDefault();
        return new Entry(uuid, json, path, file);
    }

    private sealed record Entry(Guid Uuid, JsonObject Manifest, string ManifestPath, string? File);
}
