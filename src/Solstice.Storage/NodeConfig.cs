using System.Text.Json;
using System.Text.Json.Serialization;
using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Storage;

/// <summary>
/// How one pool is backed. Exactly one of File (a sparse loop file, the embedded default),
/// Device (a block device) or neither (Mountpoint is an existing btrfs mount or directory).
/// </summary>
public sealed class PoolConfig
{
    public string Name { get; set; } = "zones";
    public string Driver { get; set; } = "btrfs";
    public string Mountpoint { get; set; } = "/zones";
    public string? File { get; set; }
    public string? Device { get; set; }
    /// <summary>Size of a loop file created on first import, e.g. "20G".</summary>
    public string? Size { get; set; }
}

/// <summary>
/// Per-zone limits of the metadata service the operator may change; absent values keep the
/// defaults of Solstice.Metadata.MetadataLimits.
/// </summary>
public sealed class MetadataConfig
{
    public double? RequestsPerSecond { get; set; }
    public int? Burst { get; set; }
    public int? MaxValueBytes { get; set; }
    public int? MaxConnections { get; set; }
    /// <summary>Most bytes of customer_metadata and internal_metadata one VM may hold.</summary>
    public long? MaxTotalBytes { get; set; }
}

/// <summary>
/// Ceilings on what an image may expand to when installed; absent values keep the defaults of
/// Solstice.Images.ImageLimits (docs/images.md).
/// </summary>
public sealed class ImagesConfig
{
    public long? MaxExpandedBytes { get; set; }
    public long? MaxFiles { get; set; }
    public long? MaxExpansionRatio { get; set; }
}

/// <summary>
/// The node's persistent configuration (the role /usbkey/config plays on SmartOS), read from
/// /etc/solstice/node.json or the file named by SOLSTICE_CONFIG. Absent, it is the embedded default.
/// </summary>
public sealed class NodeConfig
{
    public const string DefaultPath = "/etc/solstice/node.json";
    public const string DefaultPoolFile = "/var/lib/solstice/zones.img";
    public const string DefaultPoolSize = "20G";

    public List<PoolConfig> Pools { get; set; } = [];
    public string? Socket { get; set; }
    public string? StateDir { get; set; }
    public MetadataConfig? Metadata { get; set; }
    public ImagesConfig? Images { get; set; }

    [JsonIgnore]
    public string? SourcePath { get; private set; }

    public static string ConfiguredPath => Environment.GetEnvironmentVariable("SOLSTICE_CONFIG") is { Length: > 0 } p ? p : DefaultPath;

    public static NodeConfig Load(string? path = null)
    {
        path ??= ConfiguredPath;
        NodeConfig config;
        if (System.IO.File.Exists(path))
        {
            try
            {
                config = JsonSerializer.Deserialize(System.IO.File.ReadAllBytes(path), NodeConfigJson.Default.NodeConfig) ?? new NodeConfig();
            }
            catch (JsonException ex)
            {
                throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid node config {path}: {ex.Message}", ex);
            }
        }
        else
        {
            config = new NodeConfig();
        }
        config.SourcePath = path;
        if (config.Pools.Count == 0)
            config.Pools.Add(new PoolConfig { File = DefaultPoolFile, Size = DefaultPoolSize });
        config.Validate(path);
        return config;
    }

    public void Save(string path) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this, NodeConfigJson.Default.NodeConfig));

    public PoolConfig Pool(string name) =>
        Pools.FirstOrDefault(p => p.Name == name)
        ?? throw new SolsticeException(ErrorCode.NotFound, $"cannot open '{name}': no such pool");

    private void Validate(string path)
    {
        var errors = new List<string>();
        foreach (var pool in Pools)
        {
            if (!DatasetName.TryParse(pool.Name, out var parsed, out string? error) || !parsed.IsPoolRoot || parsed.IsSnapshot)
                errors.Add($"pool name '{pool.Name}': {error ?? "must be a single component"}");
            if (pool.Driver is not ("btrfs" or "dir"))
                errors.Add($"pool '{pool.Name}': unknown driver '{pool.Driver}' (btrfs or dir)");
            if (pool.File is not null && pool.Device is not null)
                errors.Add($"pool '{pool.Name}': set file or device, not both");
            if (pool.Size is not null && !ByteSize.TryParse(pool.Size, out _))
                errors.Add($"pool '{pool.Name}': invalid size '{pool.Size}'");
            if (!Path.IsPathRooted(pool.Mountpoint))
                errors.Add($"pool '{pool.Name}': mountpoint must be absolute");
        }
        if (Metadata is { } metadata)
        {
            if (metadata.RequestsPerSecond is <= 0)
                errors.Add("metadata.requests_per_second must be positive");
            if (metadata.Burst is <= 0)
                errors.Add("metadata.burst must be positive");
            if (metadata.MaxValueBytes is <= 0)
                errors.Add("metadata.max_value_bytes must be positive");
            if (metadata.MaxConnections is <= 0)
                errors.Add("metadata.max_connections must be positive");
            if (metadata.MaxTotalBytes is <= 0)
                errors.Add("metadata.max_total_bytes must be positive");
        }
        if (Images is { } images)
        {
            if (images.MaxExpandedBytes is <= 0)
                errors.Add("images.max_expanded_bytes must be positive");
            if (images.MaxFiles is <= 0)
                errors.Add("images.max_files must be positive");
            if (images.MaxExpansionRatio is <= 0)
                errors.Add("images.max_expansion_ratio must be positive");
        }
        if (Pools.Select(p => p.Name).Distinct().Count() != Pools.Count)
            errors.Add("pool names must be unique");
        if (errors.Count > 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid node config {path}:\n  " + string.Join("\n  ", errors));
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeConfig))]
internal sealed partial class NodeConfigJson : JsonSerializerContext;
