using System.Globalization;
using System.Text;

namespace Solstice.Images.Http;

/// <summary>A read-only stream over an inner one that ends after a given number of bytes.</summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : ReadOnlyStream
{
    private long _remaining = length;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0 || buffer.Length == 0)
            return 0;
        int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        if (read == 0)
            throw new IOException($"connection closed with {_remaining} body bytes still expected");
        _remaining -= read;
        return read;
    }
}

/// <summary>Decodes a chunked transfer-encoded body (RFC 9112 §7.1); trailers are read and dropped.</summary>
internal sealed class ChunkedReadStream(Stream inner) : ReadOnlyStream
{
    private long _chunkRemaining;
    private bool _done;

    public override int Read(Span<byte> buffer)
    {
        if (_done || buffer.Length == 0)
            return 0;
        if (_chunkRemaining == 0)
        {
            string size = ReadLine();
            int semicolon = size.IndexOf(';');
            if (semicolon >= 0)
                size = size[..semicolon];
            if (!long.TryParse(size.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkRemaining) || _chunkRemaining < 0)
                throw new InvalidDataException($"bad chunk size '{size}'");
            if (_chunkRemaining == 0)
            {
                while (ReadLine().Length > 0)
                {
                }
                _done = true;
                return 0;
            }
        }
        int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _chunkRemaining)]);
        if (read == 0)
            throw new IOException("connection closed inside a chunk");
        _chunkRemaining -= read;
        if (_chunkRemaining == 0 && ReadLine().Length != 0)
            throw new InvalidDataException("chunk not followed by CRLF");
        return read;
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            int b = inner.ReadByte();
            if (b < 0)
                throw new IOException("connection closed inside chunk framing");
            if (b == '\n')
                return line.ToString().TrimEnd('\r');
            if (line.Length > 4096)
                throw new InvalidDataException("chunk line too long");
            line.Append((char)b);
        }
    }
}

/// <summary>
/// The body of an HttpClient response that disposes the response with it, with transport errors
/// surfaced as IOException like every other stream the importers read.
/// </summary>
internal sealed class ResponseBodyStream(System.Net.Http.HttpResponseMessage response, Stream inner) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (System.Net.Http.HttpRequestException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }
        base.Dispose(disposing);
    }
}
