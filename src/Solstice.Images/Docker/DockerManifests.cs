using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Images.Docker;

/// <summary>Reading image manifests and indexes, OCI and Docker v2 alike.</summary>
public static class DockerManifests
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    public static readonly string[] Accepted = [OciIndex, DockerList, OciManifest, DockerManifest];

    /// <summary>This host's architecture in the images' own words (amd64, arm64).</summary>
    public static string HostArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static bool IsIndex(string? mediaType, JsonObject json) =>
        mediaType is OciIndex or DockerList || mediaType is null && json["manifests"] is JsonArray && json["layers"] is null;

    /// <summary>The digest of the manifest for linux on this architecture in an index.</summary>
    public static string SelectPlatform(JsonObject index, string source)
    {
        var candidates = (index["manifests"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var match = candidates.FirstOrDefault(m => m["platform"]?["os"]?.ToString() == "linux"
                && m["platform"]?["architecture"]?.ToString() == HostArchitecture)
            ?? (candidates.Count == 1 && candidates[0]["platform"] is null ? candidates[0] : null);
        return match?["digest"]?.ToString()
            ?? throw new SolsticeException(ErrorCode.NotFound, $"{source}: no image for linux/{HostArchitecture} in the index");
    }

    /// <summary>The config digest and the layers of an image manifest.</summary>
    public static (string ConfigDigest, List<DockerLayer> Layers) ReadManifest(JsonObject manifest, string source)
    {
        if (manifest["schemaVersion"]?.ToString() == "1")
            throw new SolsticeException(ErrorCode.NotSupported, $"{source}: schema 1 manifests are not supported (only schema 2 and OCI)");
        string configDigest = manifest["config"]?["digest"]?.ToString()
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: manifest has no config digest");
        var layers = new List<DockerLayer>();
        foreach (var layer in (manifest["layers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            string digest = layer["digest"]?.ToString() ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: a layer has no digest");
            CheckDigest(digest, source);
            string mediaType = layer["mediaType"]?.ToString() ?? "";
            if (mediaType.Contains("foreign", StringComparison.Ordinal) || mediaType.Contains("nondistributable", StringComparison.Ordinal))
                throw new SolsticeException(ErrorCode.NotSupported, $"{source}: layer {digest} is a foreign layer ({mediaType})");
            long? size = layer["size"] is JsonValue v && v.TryGetValue<long>(out long s) ? s : null;
            layers.Add(new DockerLayer(digest, mediaType, size));
        }
        if (layers.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: the image has no layers");
        return (configDigest, layers);
    }

    public static void CheckDigest(string digest, string source)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71
            || !digest.AsSpan(7).ContainsOnlyHex())
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: unsupported digest '{digest}' (only sha256)");
    }
}

internal static class HexExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
