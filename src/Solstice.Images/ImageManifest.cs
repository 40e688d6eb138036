using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Solstice.Core;

namespace Solstice.Images;

/// <summary>
/// An IMGAPI v2 image manifest. The JSON is kept whole, unknown fields included, so what is stored
/// and shown is exactly what was given; the typed properties are the fields Solstice acts on.
/// Construct through Parse, which validates first.
/// </summary>
public sealed partial class ImageManifest
{
    public const int MaxNameLength = 512;
    public const int MaxVersionLength = 128;

    public static readonly IReadOnlyList<string> Types = ["zone-dataset", "lx-dataset", "docker", "zvol", "other"];
    public static readonly IReadOnlyList<string> OperatingSystems = ["smartos", "linux", "windows", "bsd", "illumos", "other"];
    public static readonly IReadOnlyList<string> Compressions = ["gzip", "bzip2", "xz", "zstd", "none"];

    private ImageManifest(JsonObject json)
    {
        Json = json;
        Uuid = Guid.ParseExact(String(json, "uuid")!, "D");
        Name = String(json, "name")!;
        Version = String(json, "version")!;
        Type = String(json, "type")!;
        Os = String(json, "os")!;
        var file = (JsonObject)json["files"]![0]!;
        _ = TryGetInteger(file["size"], out long size);
        File = new ImageFile(String(file, "sha1")!.ToLowerInvariant(), size, String(file, "compression")!);
    }

    /// <summary>The manifest as given. Mutating it does not change the typed properties.</summary>
    public JsonObject Json { get; }

    public Guid Uuid { get; }

    public string Name { get; }

    public string Version { get; }

    public string Type { get; }

    public string Os { get; }

    public ImageFile File { get; }

    public string? Origin => String(Json, "origin");

    public string? PublishedAt => String(Json, "published_at");

    /// <summary>The manifest's "image_size": a zvol image's disk size in MiB, when it is a positive integer.</summary>
    public long? ImageSizeMiB => TryGetInteger(Json["image_size"], out long mib) && mib > 0 ? mib : null;

    /// <summary>The manifest's "published_at" as a date, when it is a valid ISO-8601 timestamp.</summary>
    public DateTimeOffset? Published =>
        PublishedAt is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when) ? when : null;

    /// <summary>Parses and validates; every problem is listed in one InvalidArgument error naming source.</summary>
    public static ImageManifest Parse(string json, string source)
    {
        // Strict: a repeated key or a lone surrogate is a sentence here, not an exception later.
        JsonNode? node = StrictJson.Parse(System.Text.Encoding.UTF8.GetBytes(json), $"in image manifest {source}");
        var errors = Validate(node);
        if (errors.Count > 0)
        {
            string subject = node is JsonObject o && String(o, "uuid") is { } uuid && IsUuid(uuid)
                ? $"image {uuid}" : $"image manifest {source}";
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"{subject}: invalid manifest:\n  " + string.Join("\n  ", errors));
        }
        return new ImageManifest((JsonObject)node!);
    }

    // A duplicate key would otherwise surface later, as ArgumentException, from the first lookup.
    private static JsonNode? ParseNode(string json) =>
        JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });

    /// <summary>
    /// Reads the manifest of an image already on the pool without throwing; null when it is not
    /// one. Only what the store needs is checked (an object with a uuid, name, version, type, os and a file): the install
    /// rules (<see cref="Validate"/>) were applied when it arrived and may have grown stricter
    /// since, and an installed image must not drop out of imgadm list because of that.
    /// </summary>
    public static ImageManifest? TryParse(string json)
    {
        try
        {
            return ParseNode(json) is JsonObject node && IsInstalledShape(node) ? new ImageManifest(node) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads an installed image's manifest, as <see cref="TryParse"/> does, with an error naming
    /// source when it is not one.
    /// </summary>
    public static ImageManifest ParseInstalled(string json, string source) =>
        TryParse(json) ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"image manifest {source}: not a readable image manifest");

    private static bool IsInstalledShape(JsonObject node) =>
        String(node, "uuid") is { } uuid && Guid.TryParseExact(uuid, "D", out _)
        && new[] { "name", "version", "type", "os" }.All(field => String(node, field) is not null)
        && node["files"] is JsonArray { Count: > 0 } files && files[0] is JsonObject file
        && String(file, "sha1") is not null && String(file, "compression") is not null;

    private static string? RequiredString(JsonObject json, string field, List<ManifestError> errors, string prefix = "")
    {
        if (!json.TryGetPropertyValue(field, out var node) || node is null)
        {
            errors.Add(new(prefix + field, "is required"));
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(new(prefix + field, "must be a string"));
            return null;
        }
        string value = node.GetValue<string>();
        if (value.Length == 0)
        {
            errors.Add(new(prefix + field, "must not be empty"));
            return null;
        }
        return value;
    }

    /// <summary>
    /// An integral JSON number whether the node was parsed (JsonElement inside) or built in code
    /// (an int or a long inside): TryGetValue&lt;long&gt; alone fails on a node holding an int.
    /// </summary>
    private static bool TryGetInteger(JsonNode? node, out long value)
    {
        value = 0;
        return node is not null && node.GetValueKind() == JsonValueKind.Number
            && long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static string? String(JsonObject json, string field) =>
        json.TryGetPropertyValue(field, out var node) && node is not null && node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>() : null;

    public string ToJsonString() => ImageJson.Serialize(Json);

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();

    [GeneratedRegex("^[A-Za-z0-9._/ -]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{40}$")]
    private static partial Regex Sha1Pattern();
}
