using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Import;

namespace Solstice.Images.Docker;

/// <summary>
/// Installs a docker/OCI image the way SmartOS imgadm does: every layer becomes an image of type
/// "docker" whose origin is the layer below, installed as a clone of that origin with the layer's
/// tarball applied (whiteouts honoured). A layer's uuid is derived from the chain of layer digests
/// up to it (imgmanifest's imgUuidFromDockerDigests: the first 32 hex digits of the SHA-256 of the
/// digests joined by single spaces, shaped 8-4-4-4-12), so shared base layers are installed once.
/// The top layer's manifest carries the repo and tag and, in tags["docker:config"], the runtime
/// config (Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts, …).
/// </summary>
public sealed class DockerImporter(ImageStore store, IImportProgress progress)
{
    public const string ConfigTag = "docker:config";
    private static readonly string[] s_configKeys = ["Entrypoint", "Cmd", "Env", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels", "StopSignal"];

    /// <summary>The image uuid SmartOS gives the layer on top of digests (base first).</summary>
    public static Guid UuidFromDigests(IEnumerable<string> digests)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(' ', digests))));
        return Guid.ParseExact($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}", "D");
    }

    /// <summary>Installs every missing layer, base first; returns the top layer's image (the one instances use).</summary>
    public ImportResult Import(DockerImage image, string repository, string? tag)
    {
        var digests = new List<string>();
        var diffIds = (image.Config["rootfs"]?["diff_ids"] as JsonArray)?.Select(n => n?.ToString()).ToList() ?? [];
        var history = (image.Config["history"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(h => h["empty_layer"]?.GetValueKind() != JsonValueKind.True).ToList();
        Guid? origin = null;
        InstalledImage? top = null;
        bool allThere = true;
        for (int i = 0; i < image.Layers.Count; i++)
        {
            var layer = image.Layers[i];
            digests.Add(layer.Digest);
            Guid uuid = UuidFromDigests(digests);
            bool last = i == image.Layers.Count - 1;
            using (var held = store.Lock(uuid, () => progress.Line($"Waiting for another import of image {uuid} to finish")))
            {
                if (store.Find(uuid) is { } existing && store.Exists(uuid))
                {
                    progress.Line($"Layer {Short(layer.Digest)} already installed as image {uuid}");
                    top = existing;
                    origin = uuid;
                    continue;
                }
                allThere = false;
                store.CleanStaleFiles();
                string partial = store.NewPartialPath(uuid);
                try
                {
                    ImageDownload.Result downloaded;
                    using (var blob = image.OpenBlob(layer))
                        downloaded = ImageDownload.Save(blob, partial, layer.Size, $"layer {Short(layer.Digest)}", progress);
                    if ("sha256:" + downloaded.Sha256 != layer.Digest)
                        throw new SolsticeException(ErrorCode.InvalidArgument,
                            $"layer {layer.Digest}: digest mismatch: got sha256:{downloaded.Sha256} from {image.Origin}");
                    if (layer.Size is { } size && size != downloaded.Size)
                        throw new SolsticeException(ErrorCode.InvalidArgument,
                            $"layer {layer.Digest}: size mismatch: expected {size} bytes, got {downloaded.Size}");
                    var manifest = LayerManifest(image, layer, uuid, origin, downloaded, Sniff(partial),
                        i < diffIds.Count ? diffIds[i] : null, i < history.Count ? history[i] : null, repository, last ? tag : null, last);
                    top = store.Install(ImageManifest.Parse(manifest.ToJsonString(), $"layer {layer.Digest}"), partial,
                        new InstallOptions { KeepFile = true, Verified = true, Locked = true });
                    progress.Line($"Installed layer {Short(layer.Digest)} as image {uuid}");
                }
                finally
                {
                    File.Delete(partial);
                }
            }
            origin = uuid;
        }
        return new ImportResult(top!, allThere);
    }

    private static string Short(string digest) => digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..19] : digest;

    private static JsonObject LayerManifest(DockerImage image, DockerLayer layer, Guid uuid, Guid? origin, ImageDownload.Result file,
        string compression, string? diffId, JsonObject? history, string repository, string? tag, bool top)
    {
        var config = image.Config;
        string created = history?["created"]?.ToString() ?? config["created"]?.ToString() ?? "";
        var tags = new JsonObject
        {
            ["docker:repo"] = repository,
            ["docker:id"] = layer.Digest,
            ["docker:architecture"] = config["architecture"]?.ToString() ?? DockerManifests.HostArchitecture,
        };
        if (tag is not null)
            tags[$"docker:tag:{tag}"] = true;
        if (top && config["config"] is JsonObject runtime)
        {
            var subset = new JsonObject();
            foreach (string key in s_configKeys)
            {
                if (runtime[key] is { } value)
                    subset[key] = value.DeepClone();
            }
            tags[ConfigTag] = subset;
        }
        var fileEntry = new JsonObject
        {
            ["sha1"] = file.Sha1,
            ["size"] = file.Size,
            ["compression"] = compression,
            ["digest"] = layer.Digest,
        };
        if (diffId is not null)
            fileEntry["uncompressedDigest"] = diffId;
        string description = history?["created_by"]?.ToString() ?? $"docker layer {layer.Digest}";
        var manifest = new JsonObject
        {
            ["v"] = 2,
            ["uuid"] = uuid.ToString(),
            ["owner"] = "00000000-0000-0000-0000-000000000000",
            ["name"] = "docker-layer",
            ["version"] = Short(layer.Digest),
            ["state"] = "active",
            ["disabled"] = false,
            ["public"] = true,
            ["published_at"] = Timestamp(created),
            ["type"] = "docker",
            ["os"] = config["os"]?.ToString() == "linux" || config["os"] is null ? "linux" : "other",
            ["description"] = description.Length > 512 ? description[..512] : description,
            ["tags"] = tags,
            ["files"] = new JsonArray(fileEntry),
        };
        if (origin is { } parent)
            manifest["origin"] = parent.ToString();
        return manifest;
    }

    /// <summary>ISO-8601 with milliseconds in UTC, as IMGAPI writes published_at; now when the image has no date.</summary>
    private static string Timestamp(string created) =>
        (DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : DateTimeOffset.UtcNow)
            .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The layer's compression from its first bytes: media types are not always honest about it.</summary>
    public static string Sniff(string path)
    {
        Span<byte> head = stackalloc byte[6];
        using var file = File.OpenRead(path);
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
            return "gzip";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
            return "zstd";
        if (head.StartsWith("BZh"u8))
            return "bzip2";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
            return "xz";
        return "none";
    }
}
