using Solstice.Images.Archive;

namespace Solstice.Images.Compression;

/// <summary>
/// Reads a decompressed stream and throws <see cref="ImageTooLargeException"/> as soon as more
/// than <paramref name="limit"/> bytes come out of it, so a decompression bomb is stopped after
/// the limit, not after it has filled the pool.
/// </summary>
public sealed class ExpansionLimitStream(Stream inner, long limit, string limitName) : ReadOnlyStream
{
    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        BytesRead += n;
        if (BytesRead > limit)
            throw new ImageTooLargeException($"it expands to more than {limit} bytes ({limitName})");
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
