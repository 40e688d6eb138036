using System.Buffers;
using System.Text;

namespace Solstice.Metadata;

/// <summary>How a client classifies an answer, as mdata-client does (its MDR_* values).</summary>
public enum MetadataResponseCode
{
    Success,
    NotFound,

    /// <summary>FAILURE or anything unexpected; the data holds the message (V2) or the line (V1).</summary>
    Unknown,

    /// <summary>The host answered <c>invalid command</c>: it doesn't know the request.</summary>
    InvalidCommand,
    V2Ok,
}

public readonly record struct MetadataResponse(MetadataResponseCode Code, byte[] Data);

/// <summary>
/// The guest side of the protocol over one connected stream, with mdata-client's timeouts:
/// 2 s for the active reset, 6 s per answer before V2 is negotiated, 45 s after (a PUT may wait
/// for the host to persist). A false return means the stream is unusable (timeout, EOF, I/O
/// error); callers reconnect and start over, as mdata-client's proto_reset does.
/// </summary>
public sealed class MetadataClient(Stream stream) : IDisposable
{
    public const int ResetTimeoutMs = 2000;
    public const int V1TimeoutMs = 6000;
    public const int V2TimeoutMs = 45000;

    private readonly byte[] _chunk = new byte[8192];
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _request = new(256);
    private int _chunkStart;
    private int _chunkEnd;

    /// <summary>1 until <see cref="Negotiate"/> gets <c>V2_OK</c>.</summary>
    public int Version { get; private set; } = 1;

    /// <summary>Sends an empty line and expects <c>invalid command</c>, discarding any stale answer first.</summary>
    public bool ActiveReset()
    {
        _chunkStart = _chunkEnd = 0;
        return Send("\n"u8) && TryReadLine(ResetTimeoutMs, out var line) && line.SequenceEqual("invalid command"u8);
    }

    /// <summary><c>NEGOTIATE V2</c> in V1 syntax; any answer but <c>V2_OK</c> leaves the client at V1.</summary>
    public bool Negotiate()
    {
        Version = 1;
        if (!Execute("NEGOTIATE", "V2"u8, hasArgument: true, out var response))
            return false;
        if (response.Code == MetadataResponseCode.V2Ok)
            Version = 2;
        return true;
    }

    /// <summary>
    /// Sends one request in the negotiated version and waits for its answer; V2 answers with a
    /// bad length, CRC or another request's id are skipped. The argument is raw bytes: V2
    /// base64-encodes it, V1 sends it as is (so it must not contain a newline).
    /// </summary>
    public bool Execute(string command, ReadOnlySpan<byte> argument, bool hasArgument, out MetadataResponse response)
    {
        response = default;
        _request.ResetWrittenCount();
        string? requestId = null;
        if (Version == 2)
        {
            requestId = NewRequestId();
            MetadataCodec.WriteV2Frame(requestId, command, argument, hasArgument && !argument.IsEmpty, _request);
        }
        else
        {
            _request.Write(Encoding.ASCII.GetBytes(command));
            if (hasArgument)
            {
                _request.Write(" "u8);
                _request.Write(argument);
            }
            _request.Write("\n"u8);
        }
        if (!Send(_request.WrittenSpan))
            return false;
        return requestId is null ? ReceiveV1(out response) : ReceiveV2(requestId, out response);
    }

    private bool ReceiveV2(string requestId, out MetadataResponse response)
    {
        response = default;
        while (true)
        {
            if (!TryReadLine(V2TimeoutMs, out var line))
                return false;
            if (!MetadataCodec.TryParseFrame(line, out var frame) || frame!.RequestId != requestId)
                continue;
            var code = frame.Word switch
            {
                "SUCCESS" => MetadataResponseCode.Success,
                "NOTFOUND" => MetadataResponseCode.NotFound,
                _ => MetadataResponseCode.Unknown,
            };
            response = new MetadataResponse(code, frame.Payload);
            return true;
        }
    }

    private bool ReceiveV1(out MetadataResponse response)
    {
        response = default;
        if (!TryReadLine(V1TimeoutMs, out var header))
            return false;
        MetadataResponseCode code;
        if (header.SequenceEqual("SUCCESS"u8))
            code = MetadataResponseCode.Success;
        else
        {
            code = header.SequenceEqual("NOTFOUND"u8) ? MetadataResponseCode.NotFound
                : header.SequenceEqual("V2_OK"u8) ? MetadataResponseCode.V2Ok
                : header.SequenceEqual("invalid command"u8) ? MetadataResponseCode.InvalidCommand
                : MetadataResponseCode.Unknown;
            response = new MetadataResponse(code, code == MetadataResponseCode.Unknown ? header.ToArray() : []);
            return true;
        }
        var data = new ArrayBufferWriter<byte>();
        bool first = true;
        while (true)
        {
            if (!TryReadLine(V1TimeoutMs, out var line))
                return false;
            if (line.SequenceEqual("."u8))
                break;
            if (!first)
                data.Write("\n"u8);
            first = false;
            data.Write(line.Length > 0 && line[0] == '.' ? line[1..] : line);
        }
        response = new MetadataResponse(code, data.WrittenSpan.ToArray());
        return true;
    }

    private bool Send(ReadOnlySpan<byte> data)
    {
        try
        {
            stream.Write(data);
            stream.Flush();
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The next line without its LF; false on timeout, end of stream or I/O error.</summary>
    private bool TryReadLine(int timeoutMs, out ReadOnlySpan<byte> line)
    {
        line = default;
        _line.ResetWrittenCount();
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var pending = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
            int newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _line.Write(pending[..newline]);
                _chunkStart += newline + 1;
                line = _line.WrittenSpan;
                return true;
            }
            _line.Write(pending);
            _chunkStart = _chunkEnd = 0;
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
                return false;
            try
            {
                if (stream.CanTimeout)
                    stream.ReadTimeout = (int)remaining;
                int n = stream.Read(_chunk);
                if (n == 0)
                    return false;
                _chunkEnd = n;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>Eight random lower-case hex digits, as mdata-client and cloud-init generate them.</summary>
    public static string NewRequestId() =>
        ((uint)Random.Shared.NextInt64(0, 1L << 32)).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => stream.Dispose();
}
