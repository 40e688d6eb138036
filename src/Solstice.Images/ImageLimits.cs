using Solstice.Storage;

namespace Solstice.Images;

/// <summary>
/// How far an image file may expand while it is installed. A tarball that goes past a limit is
/// refused as soon as it does, and the install removes what it wrote. Besides these, the image
/// file must be exactly its manifest's files[0].size, and when the manifest gives image_size
/// (MiB), the files in the image may not hold more than that.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Most bytes the decompressed tarball may have (tar headers included): 64 GiB.</summary>
    public long MaxExpandedBytes { get; init; } = 64L << 30;

    /// <summary>Most entries (files, directories, links) one image may hold: 1,000,000.</summary>
    public long MaxFiles { get; init; } = 1_000_000;

    /// <summary>
    /// Past <see cref="RatioFloorBytes"/>, the tarball may be at most this many times the size of
    /// the image file (100). Real images compress 2-10x; a gzip bomb of zeroes does about 1000x.
    /// </summary>
    public long MaxExpansionRatio { get; init; } = 100;

    /// <summary>How much any image may expand to regardless of the ratio: 1 GiB.</summary>
    public long RatioFloorBytes { get; init; } = 1L << 30;

    public static ImageLimits Default { get; } = new();

    /// <summary>The node config's images section over the defaults.</summary>
    public static ImageLimits From(ImagesConfig? config) => config is null ? Default : Default with
    {
        MaxExpandedBytes = config.MaxExpandedBytes ?? Default.MaxExpandedBytes,
        MaxFiles = config.MaxFiles ?? Default.MaxFiles,
        MaxExpansionRatio = config.MaxExpansionRatio ?? Default.MaxExpansionRatio,
    };

    /// <summary>The expanded-bytes ceiling for an image file of <paramref name="fileSize"/> bytes.</summary>
    public long ExpandedLimitFor(long fileSize)
    {
        long byRatio = fileSize > long.MaxValue / Math.Max(1, MaxExpansionRatio) ? long.MaxValue : fileSize * MaxExpansionRatio;
        return Math.Min(MaxExpandedBytes, Math.Max(RatioFloorBytes, byRatio));
    }
}
