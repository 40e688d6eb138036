using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.TestKit;

/// <summary>
/// Builds a small docker/OCI image in memory: layers as gzipped tarballs (whiteouts are plain
/// entries named .wh.*), a config with a runtime section, and the OCI manifest. Writes it as an
/// OCI image layout or as a `docker save` archive (manifest.json with uncompressed layer tars).
/// </summary>
public sealed class OciImageBuilder
{
    private static readonly DateTimeOffset s_mtime = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly List<List<(string Name, byte[]? Content, TarEntryType Type, string? Link, UnixFileMode Mode)>> _layers = [];

    public JsonObject RuntimeConfig { get; } = new()
    {
        ["Entrypoint"] = new JsonArray("/bin/sh", "-c"),
        ["Cmd"] = new JsonArray("echo hello from the image"),
        ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hi"),
        ["WorkingDir"] = "/srv",
        ["User"] = "1000:1000",
        ["ExposedPorts"] = new JsonObject { ["8080/tcp"] = new JsonObject() },
    };

    /// <summary>Starts a new layer; the entries added next go into it.</summary>
    public OciImageBuilder Layer()
    {
        _layers.Add([]);
        return this;
    }

    public OciImageBuilder Directory(string name) => Add(name, null, TarEntryType.Directory, null, (UnixFileMode)0x1ED);

    public OciImageBuilder File(string name, string content) => Add(name, Encoding.UTF8.GetBytes(content), TarEntryType.RegularFile, null, (UnixFileMode)0x1A4);

    public OciImageBuilder File(string name, byte[] content, UnixFileMode mode) => Add(name, content, TarEntryType.RegularFile, null, mode);

    public OciImageBuilder Symlink(string name, string target) => Add(name, null, TarEntryType.SymbolicLink, target, (UnixFileMode)0x1FF);

    public OciImageBuilder Whiteout(string directory, string name) => File($"{directory.TrimEnd('/')}/.wh.{name}", "");

    public OciImageBuilder Opaque(string directory) => File($"{directory.TrimEnd('/')}/.wh..wh..opq", "");

    private OciImageBuilder Add(string name, byte[]? content, TarEntryType type, string? link, UnixFileMode mode)
    {
        if (_layers.Count == 0)
            Layer();
        _layers[^1].Add((name, content, type, link, mode));
        return this;
    }

    /// <summary>The built image: uncompressed and gzipped layer tars, config and manifest bytes, digests.</summary>
    public sealed record Built(List<byte[]> Tars, List<byte[]> Blobs, byte[] Config, byte[] Manifest)
    {
        public List<string> LayerDigests => Blobs.Select(Digest).ToList();

        public List<string> DiffIds => Tars.Select(Digest).ToList();

        public string ConfigDigest => Digest(Config);

        public string ManifestDigest => Digest(Manifest);
    }

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public Built Build()
    {
        var tars = _layers.Select(Tar).ToList();
        var blobs = tars.Select(Gzip).ToList();
        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2024-03-04T05:06:07Z",
            ["config"] = RuntimeConfig.DeepClone(),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(tars.Select(t => (JsonNode)Digest(t)).ToArray()) },
            ["history"] = new JsonArray(tars.Select((_, i) => (JsonNode)new JsonObject { ["created"] = "2024-03-04T05:06:07Z", ["created_by"] = $"layer {i}" }).ToArray()),
        };
        byte[] configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = Digest(configBytes), ["size"] = configBytes.Length },
            ["layers"] = new JsonArray(blobs.Select(b => (JsonNode)new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = Digest(b), ["size"] = b.Length,
            }).ToArray()),
        };
        return new Built(tars, blobs, configBytes, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    /// <summary>Writes an OCI image layout with one image named tag.</summary>
    public Built WriteOciLayout(string directory, string tag = "latest")
    {
        var built = Build();
        string blobs = Path.Combine(directory, "blobs", "sha256");
        System.IO.Directory.CreateDirectory(blobs);
        foreach (byte[] blob in built.Blobs.Append(built.Config).Append(built.Manifest))
            System.IO.File.WriteAllBytes(Path.Combine(blobs, Digest(blob)[7..]), blob);
        System.IO.File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = built.ManifestDigest,
                ["size"] = built.Manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        System.IO.File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString());
        return built;
    }

    /// <summary>Writes a `docker save` archive (legacy layout: &lt;n&gt;/layer.tar, &lt;config&gt;.json, manifest.json).</summary>
    public Built WriteDockerSave(string path, string repoTag)
    {
        var built = Build();
        using var output = System.IO.File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        string configName = Digest(built.Config)[7..] + ".json";
        WriteFile(writer, configName, built.Config);
        var layerNames = new List<string>();
        for (int i = 0; i < built.Tars.Count; i++)
        {
            string name = $"layer{i}/layer.tar";
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"layer{i}/") { Mode = (UnixFileMode)0x1ED });
            WriteFile(writer, name, built.Tars[i]);
            layerNames.Add(name);
        }
        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray(repoTag),
            ["Layers"] = new JsonArray(layerNames.Select(n => (JsonNode)n).ToArray()),
        });
        WriteFile(writer, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        return built;
    }

    private static void WriteFile(TarWriter writer, string name, byte[] data) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(data) });

    private static byte[] Tar(List<(string Name, byte[]? Content, TarEntryType Type, string? Link, UnixFileMode Mode)> entries)
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, type, link, mode) in entries)
            {
                // Fixed times (atime and ctime too), so building the same image twice gives the same digests.
                var entry = new PaxTarEntry(type, name, new Dictionary<string, string> { ["atime"] = "1709528767", ["ctime"] = "1709528767" })
                {
                    Mode = mode,
                    ModificationTime = s_mtime,
                };
                if (link is not null)
                    entry.LinkName = link;
                if (content is not null)
                    entry.DataStream = new MemoryStream(content);
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return buffer.ToArray();
    }
}
