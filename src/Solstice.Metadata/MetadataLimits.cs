namespace Solstice.Metadata;

/// <summary>
/// Per-zone limits of a metadata server. SmartOS has none of these; they keep one guest from
/// exhausting the host, and are generous enough that mdata-client and cloud-init never meet them.
/// </summary>
public sealed record MetadataLimits
{
    private readonly int? _maxLineBytes;

    /// <summary>Largest value a PUT may store, in bytes after decoding (1 MiB).</summary>
    public int MaxValueBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Longest request line. By default just enough for a PUT of <see cref="MaxValueBytes"/> with a
    /// 4 KiB key: the value is base64-encoded twice, so the line is about 16/9 of it. Longer lines
    /// are read to their end without being kept, then refused.
    /// </summary>
    public int MaxLineBytes
    {
        get => _maxLineBytes ?? Base64Length(Base64Length(MaxValueBytes) + 1 + Base64Length(4096)) + 64;
        init => _maxLineBytes = value;
    }

    /// <summary>
    /// Most bytes a VM's customer_metadata and internal_metadata may hold together (keys and
    /// values, UTF-8; see <see cref="MetadataSize"/>), 4 MiB. A PUT, or a vmadm update or create,
    /// that would take a VM over it (and above what it holds already) is refused. SmartOS has no
    /// such cap; its metadata file lives in the zone's dataset, under the zone's quota.
    /// </summary>
    public long MaxTotalBytes { get; init; } = 4L << 20;

    /// <summary>Concurrent connections per zone; more are closed on accept.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>
    /// Sustained requests per second per zone (all its connections together). About what the
    /// daemon answers from one zone on a 2-core box using most of one core, so a guest polling
    /// as fast as it can is not held below that, while a zone with many connections cannot take
    /// more; operators lower it in node.json.
    /// </summary>
    public double RequestsPerSecond { get; init; } = 50_000;

    /// <summary>Requests a zone may make at once before the rate applies.</summary>
    public int Burst { get; init; } = 1_000;

    /// <summary>
    /// Requests over the rate wait for their turn; a connection whose turn would come later than
    /// this is a flood and is closed.
    /// </summary>
    public TimeSpan MaxRateDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A connection without a byte for this long is closed (null: never, e.g. a serial line).</summary>
    public TimeSpan? IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A request line must be complete this long after its first byte (slowloris); null: no limit.</summary>
    public TimeSpan? LineTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A guest that doesn't read its answers for this long is disconnected.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public static MetadataLimits Default { get; } = new();

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;
}
