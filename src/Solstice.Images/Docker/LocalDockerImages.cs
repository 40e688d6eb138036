using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Archive;

namespace Solstice.Images.Docker;

/// <summary>
/// Docker images from local files: an OCI image layout directory (oci-layout, index.json, blobs/),
/// or a `docker save` archive, unpacked first with the safe extractor. docker save writes
/// manifest.json ([{Config, RepoTags, Layers}]) and, since Docker 25, an OCI layout beside it;
/// manifest.json is preferred when present. A layer's digest is the SHA-256 of its file as stored
/// (uncompressed tar in docker save), so the uuids differ from a registry pull of the same image,
/// whose layer digests are of the compressed blobs.
/// </summary>
public static class LocalDockerImages
{
    public sealed record Loaded(DockerImage Image, string Repository, string? Tag);

    /// <summary>
    /// Opens a directory that is an OCI layout or an unpacked docker save; reference picks the image
    /// when there are several. Messages name displayName (the archive the user gave, which was
    /// unpacked into directory) when there is one.
    /// </summary>
    public static Loaded Open(string directory, string? reference, string? displayName = null)
    {
        displayName ??= directory;
        if (File.Exists(Path.Combine(directory, "manifest.json")))
            return OpenDockerSave(directory, reference, displayName);
        if (File.Exists(Path.Combine(directory, "index.json")))
            return OpenOciLayout(directory, reference, displayName);
        throw new SolsticeException(ErrorCode.InvalidArgument, $"{displayName}: neither an OCI image layout (index.json) nor a docker save archive (manifest.json)");
    }

    /// <summary>Unpacks a docker save / OCI layout tarball into directory (which must exist, on the pool).</summary>
    public static void Unpack(string archive, string directory, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        using var file = File.OpenRead(archive);
        long expanded = limits.ExpandedLimitFor(file.Length);
        using var data = new Compression.ExpansionLimitStream(Compression.Decompression.Open(file, Sniff(file)), expanded,
            "images.max_expanded_bytes and images.max_expansion_ratio in the node config");
        try
        {
            SafeTarExtractor.Extract(data, directory, preserveOwnership: false,
                limits: new ExtractionLimits(limits.MaxFiles, "images.max_files in the node config"));
        }
        catch (ImageTooLargeException ex)
        {
            throw new SolsticeException(ErrorCode.QuotaExceeded, $"{archive}: refusing archive: {ex.Message}", ex);
        }
        catch (ImageArchiveException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{archive}: refusing archive {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{archive}: not a readable tar archive: {ex.Message}", ex);
        }
    }

    private static string Sniff(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? "gzip" : "none";
    }

    private static Loaded OpenDockerSave(string directory, string? reference, string displayName)
    {
        string source = $"docker save archive {displayName}";
        var entries = (Json(Path.Combine(directory, "manifest.json"), source) as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (entries.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: manifest.json lists no image");
        var tagged = entries.Select(e => (Entry: e, Tags: (e["RepoTags"] as JsonArray ?? []).Select(t => t?.ToString() ?? "").ToList())).ToList();
        var chosen = reference is null
            ? (tagged.Count == 1 ? tagged[0] : throw new SolsticeException(ErrorCode.InvalidArgument,
                $"{source}: holds {tagged.Count} images, name one: {string.Join(", ", tagged.SelectMany(t => t.Tags))}"))
            : tagged.FirstOrDefault(t => t.Tags.Any(tag => tag == reference || tag == reference + ":latest"));
        if (chosen.Entry is null)
            throw new SolsticeException(ErrorCode.NotFound, $"{source}: no image tagged '{reference}'");
        string configPath = Inside(directory, chosen.Entry["Config"]?.ToString(), source);
        var config = Json(configPath, source) as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: config is not an object");
        var layers = new List<DockerLayer>();
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in chosen.Entry["Layers"] as JsonArray ?? [])
        {
            string path = Inside(directory, node?.ToString(), source);
            string digest = "sha256:" + Sha256(path);
            paths[digest] = path;
            layers.Add(new DockerLayer(digest, "application/vnd.docker.image.rootfs.diff.tar", new FileInfo(path).Length));
        }
        if (layers.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: the image has no layers");
        string name = chosen.Tags.FirstOrDefault(t => reference is null || t.StartsWith(reference, StringComparison.Ordinal)) ?? reference ?? Path.GetFileName(directory);
        var (repo, tag) = SplitName(name);
        var image = new DockerImage(config, layers, layer => File.OpenRead(paths[layer.Digest]), source);
        return new Loaded(image, repo, tag);
    }

    private static Loaded OpenOciLayout(string directory, string? reference, string displayName)
    {
        string source = $"OCI layout {displayName}";
        if (!File.Exists(Path.Combine(directory, "oci-layout")))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: no oci-layout file");
        var index = Json(Path.Combine(directory, "index.json"), source) as JsonObject
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: index.json is not an object");
        var manifests = (index["manifests"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        string? tag = reference is null ? null : SplitName(reference).Tag;
        JsonObject? chosen = manifests.Count == 1 && reference is null ? manifests[0]
            : manifests.FirstOrDefault(m => RefName(m) is { } name && (name == reference || name == tag || reference is not null && name.EndsWith(":" + tag, StringComparison.Ordinal)));
        if (chosen is null)
            throw new SolsticeException(ErrorCode.NotFound, reference is null
                ? $"{source}: holds {manifests.Count} images, name one: {string.Join(", ", manifests.Select(RefName))}"
                : $"{source}: no image named '{reference}'");
        string digest = chosen["digest"]?.ToString() ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: index entry without digest");
        var manifest = Blob(directory, digest, source) as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: manifest is not an object");
        if (DockerManifests.IsIndex(chosen["mediaType"]?.ToString() ?? manifest["mediaType"]?.ToString(), manifest))
            manifest = Blob(directory, DockerManifests.SelectPlatform(manifest, source), source) as JsonObject
                ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: manifest is not an object");
        var (configDigest, layers) = DockerManifests.ReadManifest(manifest, source);
        var config = Blob(directory, configDigest, source) as JsonObject
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: config is not an object");
        string name = RefName(chosen) ?? reference ?? Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/'));
        var (repo, imageTag) = name.Contains(':') || name.Contains('/') ? SplitName(name) : (reference is not null ? SplitName(reference).Repository : Path.GetFileName(directory), name);
        var image = new DockerImage(config, layers, layer => File.OpenRead(BlobPath(directory, layer.Digest, source)), source);
        return new Loaded(image, repo, imageTag);
    }

    private static string? RefName(JsonObject entry) => entry["annotations"]?["org.opencontainers.image.ref.name"]?.ToString();

    private static (string Repository, string? Tag) SplitName(string name)
    {
        int colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..]) : (name, "latest");
    }

    private static string BlobPath(string directory, string digest, string source)
    {
        DockerManifests.CheckDigest(digest, source);
        string path = Path.Combine(directory, "blobs", "sha256", digest[7..]);
        if (!File.Exists(path))
            throw new SolsticeException(ErrorCode.NotFound, $"{source}: blob {digest} is missing");
        return path;
    }

    private static JsonNode? Blob(string directory, string digest, string source)
    {
        string path = BlobPath(directory, digest, source);
        byte[] data = File.ReadAllBytes(path);
        string actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        if (actual != digest)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: blob {digest} is corrupt (its digest is {actual})");
        return Parse(data, path, source);
    }

    private static JsonNode? Json(string path, string source) =>
        File.Exists(path) ? Parse(File.ReadAllBytes(path), path, source)
        : throw new SolsticeException(ErrorCode.NotFound, $"{source}: {Path.GetFileName(path)} is missing");

    private static JsonNode? Parse(byte[] data, string path, string source)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: {Path.GetFileName(path)}: invalid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A path named by the archive, which must stay inside it.</summary>
    private static string Inside(string directory, string? relative, string source)
    {
        if (string.IsNullOrEmpty(relative) || relative.StartsWith('/') || relative.Split('/').Contains(".."))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: bad path '{relative}' in manifest.json");
        string path = directory;
        foreach (string part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (new FileInfo(path).LinkTarget is not null)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: {relative} goes through a symlink");
        }
        if (!File.Exists(path))
            throw new SolsticeException(ErrorCode.NotFound, $"{source}: {relative} is missing");
        return path;
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
