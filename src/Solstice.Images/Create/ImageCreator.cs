using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Compression;
using Solstice.Storage;

namespace Solstice.Images.Create;

/// <summary>What imgadm create wrote: the manifest, its path, the image file and the paths left out of it.</summary>
public sealed record CreatedImage(ImageManifest Manifest, string ManifestPath, string FilePath, IReadOnlyList<string> Skipped);

/// <summary>
/// imgadm create: an image from a prepared zone. The zone's dataset is snapshotted and the
/// snapshot cloned (O(1) on btrfs), so the image is one consistent point in time; the clone's
/// root/ is written as a deterministic tarball (DeterministicTar), compressed as asked, with a
/// manifest NAME-VERSION.json beside it carrying its size and SHA-1. The type follows the brand:
/// joyent and joyent-minimal make zone-dataset images, lx makes lx-dataset images. The zone's
/// record is &lt;pool&gt;/config/&lt;vm-uuid&gt;.json, {"phase": …, "vm": {…}}, as the node daemon keeps it.
/// </summary>
public sealed class ImageCreator(StoragePool pool)
{
    private static readonly Dictionary<string, string> s_extensions = new()
    {
        ["none"] = ".tar", ["gzip"] = ".tar.gz", ["bzip2"] = ".tar.bz2", ["xz"] = ".tar.xz", ["zstd"] = ".tar.zst",
    };

    /// <param name="fields">Manifest fields given by the user (-m and field=value); name and version are required.</param>
    /// <param name="outputPrefix">Path prefix of the two files written; defaults to NAME-VERSION in the current directory.</param>
    public CreatedImage Create(Guid vm, JsonObject fields, string? outputPrefix, string compression)
    {
        if (!s_extensions.TryGetValue(compression, out var extension))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"unknown compression '{compression}' (one of {string.Join(", ", s_extensions.Keys)})");
        var record = ReadRecord(vm);
        string brand = record["brand"]?.ToString() ?? "joyent";
        string type = brand switch
        {
            "joyent" or "joyent-minimal" => "zone-dataset",
            "lx" => "lx-dataset",
            _ => throw new SolsticeException(ErrorCode.NotSupported, $"VM {vm}: cannot create an image from a '{brand}' VM (only joyent and lx zones)"),
        };
        var manifest = BaseManifest(record, brand, type);
        foreach (var (key, value) in fields)
            manifest[key] = value?.DeepClone();
        string? name = manifest["name"]?.ToString(), version = manifest["version"]?.ToString();
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
            throw new SolsticeException(ErrorCode.InvalidArgument, "imgadm create needs the image's name and version (-m manifest or name=… version=…)");

        string prefix = outputPrefix ?? Path.Combine(Directory.GetCurrentDirectory(), $"{name}-{version}");
        string filePath = prefix + extension;
        string manifestPath = prefix + ".json";
        var dataset = pool.Root.Child(vm.ToString());
        if (!pool.Exists(dataset))
            throw new SolsticeException(ErrorCode.NotFound, $"VM {vm}: dataset {dataset} does not exist");

        var tag = Guid.NewGuid().ToString("N")[..12];
        var snapshot = dataset with { Snapshot = $"imgadm-create-{tag}" };
        var clone = pool.Root.Child($"imgadm-create-{tag}");
        List<string> skipped;
        pool.Snapshot(snapshot);
        try
        {
            pool.Clone(snapshot, clone);
            try
            {
                skipped = WriteFile(Path.Combine(pool.PathOf(clone), ImageStore.RootDirectory), filePath, compression);
            }
            finally
            {
                pool.Destroy(clone, recursive: true);
            }
        }
        finally
        {
            pool.Destroy(snapshot, recursive: false);
        }

        using (var file = File.OpenRead(filePath))
        {
            manifest["files"] = new JsonArray(new JsonObject
            {
                ["sha1"] = Convert.ToHexStringLower(SHA1.HashData(file)),
                ["size"] = file.Length,
                ["compression"] = compression,
            });
        }
        var parsed = ImageManifest.Parse(manifest.ToJsonString(), "created manifest");
        Linux.AtomicFile.WriteText(manifestPath, parsed.ToJsonString() + "\n", Linux.AtomicFile.PublicMode);
        return new CreatedImage(parsed, manifestPath, filePath, skipped);
    }

    private JsonObject ReadRecord(Guid vm)
    {
        string path = Path.Combine(pool.PathOf(pool.Root.Child("config")), $"{vm}.json");
        if (!File.Exists(path))
            throw new SolsticeException(ErrorCode.NotFound, $"VM {vm} not found (no record {path})");
        JsonObject record;
        try
        {
            record = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject ?? throw new InvalidDataException("not an object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"VM {vm}: unreadable record {path}: {ex.Message}", ex);
        }
        if (record["phase"]?.ToString() is { } phase && phase != "ready")
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {vm} is not ready (phase {phase}): wait for its provisioning or deletion to finish");
        return record["vm"] as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"VM {vm}: record {path} has no vm object");
    }

    /// <summary>What imgadm create fills in; the os comes from the image the zone was made from, when installed.</summary>
    private JsonObject BaseManifest(JsonObject vm, string brand, string type)
    {
        string os = "linux";
        if (vm["image_uuid"]?.ToString() is { } image && Guid.TryParseExact(image, "D", out var imageUuid)
            && new ImageStore(pool).Find(imageUuid) is { } source)
            os = source.Manifest.Os;
        return new JsonObject
        {
            ["v"] = 2,
            ["uuid"] = Guid.NewGuid().ToString(),
            ["owner"] = "00000000-0000-0000-0000-000000000000",
            ["state"] = "active",
            ["disabled"] = false,
            ["public"] = false,
            ["published_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["type"] = type,
            ["os"] = os,
            ["requirements"] = new JsonObject { ["brand"] = brand },
        };
    }

    private static List<string> WriteFile(string root, string path, string compression)
    {
        if (!Directory.Exists(root))
            throw new SolsticeException(ErrorCode.NotFound, $"the zone has no root directory ({root})");
        try
        {
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            List<string> skipped;
            switch (compression)
            {
                case "none":
                    skipped = DeterministicTar.Write(root, output).Skipped;
                    break;
                case "gzip":
                    using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                        skipped = DeterministicTar.Write(root, gzip).Skipped;
                    break;
                default:
                    string[] argv = compression == "zstd" ? ["zstd", "-c", "-q"] : [compression, "-c"];
                    using (var pipe = new PipeCompressStream(argv, output))
                    {
                        skipped = DeterministicTar.Write(root, pipe).Skipped;
                        pipe.Finish();
                    }
                    break;
            }
            output.Flush(flushToDisk: true);
            return skipped;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Linux.Interop.SyscallException)
        {
            File.Delete(path);
            throw new SolsticeException(ErrorCode.BackendFailed, $"writing image file {path}: {ex.Message}", ex);
        }
    }
}
