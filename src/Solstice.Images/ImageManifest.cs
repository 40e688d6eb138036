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

    /// <summary>The manifest's "published_at" as a date, when it is a valid ISO-8601 timestamp.</summary>
    public DateTimeOffset? Published =>
        PublishedAt is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when) ? when : null;

    /// <summary>Parses and validates; every problem is listed in one InvalidArgument error naming source.</summary>
    public static ImageManifest Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = ParseNode(json);
        }
        catch (JsonException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image manifest {source}: invalid JSON: {ex.Message}", ex);
        }
        var errors = Validate(node);
        if (errors.Count > 0)
        {
            string subject = node is JsonObject o && String(o, "uuid") is { } uuid && Guid.TryParseExact(uuid, "D", out _)
                ? $"image {uuid.ToLowerInvariant()}" : $"image manifest {source}";
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"{subject}: invalid manifest:\n  " + string.Join("\n  ", errors));
        }
        return new ImageManifest((JsonObject)node!);
    }

    // A duplicate key would otherwise surface later, as ArgumentException, from the first lookup.
    private static JsonNode? ParseNode(string json) =>
        JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });

    /// <summary>Parses without throwing; null when the text is not a valid manifest.</summary>
    public static ImageManifest? TryParse(string json)
    {
        try
        {
            var node = ParseNode(json);
            return Validate(node).Count == 0 ? new ImageManifest((JsonObject)node!) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// What imgadm install needs (imgmanifest validateMinimalManifest, plus files[0] because a local
    /// install verifies the file): v, uuid, name, version, type, os and files[0].{sha1,size,compression}.
    /// Returns every problem, not just the first.
    /// </summary>
    public static IReadOnlyList<ManifestError> Validate(JsonNode? node)
    {
        var errors = new List<ManifestError>();
        if (node is not JsonObject json)
        {
            errors.Add(new("(manifest)", "must be a JSON object"));
            return errors;
        }

        if (!json.TryGetPropertyValue("v", out var v) || v is null)
            errors.Add(new("v", "is required"));
        else if (!TryGetInteger(v, out long version))
            errors.Add(new("v", "must be an integer"));
        else if (version != 2)
            errors.Add(new("v", $"unsupported manifest version {version} (only 2)"));

        if (RequiredString(json, "uuid", errors) is { } uuid && !Guid.TryParseExact(uuid, "D", out _))
            errors.Add(new("uuid", $"'{uuid}' is not a UUID"));

        if (RequiredString(json, "name", errors) is { } name)
        {
            if (name.Length > MaxNameLength)
                errors.Add(new("name", $"is longer than {MaxNameLength} characters"));
            else if (!NamePattern().IsMatch(name))
                errors.Add(new("name", $"'{name}' has characters outside A-Z a-z 0-9 . _ / space -"));
        }

        if (RequiredString(json, "version", errors) is { } ver && ver.Length > MaxVersionLength)
            errors.Add(new("version", $"is longer than {MaxVersionLength} characters"));

        if (RequiredString(json, "type", errors) is { } type && !Types.Contains(type))
            errors.Add(new("type", $"'{type}' is not one of {string.Join(", ", Types)}"));

        if (RequiredString(json, "os", errors) is { } os && !OperatingSystems.Contains(os))
            errors.Add(new("os", $"'{os}' is not one of {string.Join(", ", OperatingSystems)}"));

        if (json.TryGetPropertyValue("owner", out var owner) && owner is not null
            && (owner.GetValueKind() != JsonValueKind.String || !Guid.TryParseExact(owner.GetValue<string>(), "D", out _)))
            errors.Add(new("owner", "must be a UUID"));

        if (json.TryGetPropertyValue("origin", out var origin) && origin is not null
            && (origin.GetValueKind() != JsonValueKind.String || !Guid.TryParseExact(origin.GetValue<string>(), "D", out _)))
            errors.Add(new("origin", "must be a UUID"));

        ValidateFiles(json, errors);
        return errors;
    }

    private static void ValidateFiles(JsonObject json, List<ManifestError> errors)
    {
        if (!json.TryGetPropertyValue("files", out var files) || files is null)
        {
            errors.Add(new("files", "is required (one entry describing the image file)"));
            return;
        }
        if (files is not JsonArray array)
        {
            errors.Add(new("files", "must be an array"));
            return;
        }
        if (array.Count != 1)
        {
            errors.Add(new("files", $"must have exactly one entry, has {array.Count}"));
            if (array.Count == 0)
                return;
        }
        if (array[0] is not JsonObject file)
        {
            errors.Add(new("files[0]", "must be an object"));
            return;
        }
        if (RequiredString(file, "sha1", errors, "files[0].") is { } sha1 && !Sha1Pattern().IsMatch(sha1))
            errors.Add(new("files[0].sha1", $"'{sha1}' is not 40 hexadecimal digits"));
        if (!file.TryGetPropertyValue("size", out var size) || size is null)
            errors.Add(new("files[0].size", "is required"));
        else if (!TryGetInteger(size, out long bytes) || bytes < 0)
            errors.Add(new("files[0].size", "must be a non-negative integer"));
        if (RequiredString(file, "compression", errors, "files[0].") is { } compression && !Compressions.Contains(compression))
            errors.Add(new("files[0].compression", $"'{compression}' is not one of {string.Join(", ", Compressions)}"));
    }

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

    [GeneratedRegex("^[A-Za-z0-9._/ -]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{40}$")]
    private static partial Regex Sha1Pattern();
}
