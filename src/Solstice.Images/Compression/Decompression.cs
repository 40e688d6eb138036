using System.IO.Compression;

namespace Solstice.Images.Compression;

/// <summary>Opens the decompressed view of an image file by its manifest's files[0].compression.</summary>
public static class Decompression
{
    /// <summary>
    /// gzip is decoded in-process; bzip2, xz and zstd by their host tools ("bzip2 -dc" and so on)
    /// fed through a pipe, since the BCL has no decoder for them. Disposing the returned stream
    /// leaves compressed open; read it to the end to learn whether the data was intact.
    /// </summary>
    public static Stream Open(Stream compressed, string compression) => compression switch
    {
        "gzip" => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true),
        "none" => new NonClosingStream(compressed),
        "bzip2" => new PipeDecompressStream(["bzip2", "-dc"], compressed),
        "xz" => new PipeDecompressStream(["xz", "-dc"], compressed),
        "zstd" => new PipeDecompressStream(["zstd", "-dc", "-q"], compressed),
        _ => throw new ArgumentException($"unknown compression '{compression}'", nameof(compression)),
    };

    private sealed class NonClosingStream(Stream inner) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
    }
}
