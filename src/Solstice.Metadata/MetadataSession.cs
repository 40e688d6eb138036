using System.Buffers;
using System.Net.Sockets;

namespace Solstice.Metadata;

/// <summary>Why a session ended.</summary>
public enum MetadataSessionEnd
{
    /// <summary>The guest closed the connection.</summary>
    Closed,

    /// <summary>No byte for <see cref="MetadataLimits.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>A line not finished within <see cref="MetadataLimits.LineTimeout"/> (slowloris).</summary>
    LineTimeout,

    /// <summary>The guest didn't read its answers within <see cref="MetadataLimits.WriteTimeout"/>.</summary>
    WriteTimeout,

    /// <summary>Requests beyond the zone's rate and queue: closed to protect the host.</summary>
    Flood,

    /// <summary>The server is stopping.</summary>
    Canceled,

    /// <summary>An I/O error on the connection.</summary>
    IoError,
}

/// <summary>
/// One guest connection: splits the byte stream into lines, answers each in order, and enforces
/// the zone's limits. Nothing the guest sends makes it throw: malformed input is answered or
/// dropped per protocol, and abuse (endless lines, floods, stalling) ends the session. The
/// stream may be a unix socket connection or, later, an HVM guest's serial port.
/// </summary>
public sealed class MetadataSession
{
    private const int InitialBuffer = 4096;
    private const int FlushThreshold = 64 * 1024;
    private static readonly TimeSpan ShortestWait = TimeSpan.FromMilliseconds(2);

    private readonly Stream _stream;
    private readonly MetadataHandler _handler;
    private readonly MetadataLimits _limits;
    private readonly TokenBucket? _rate;
    private readonly MetadataStats _stats;
    private ArrayBufferWriter<byte> _output = new(256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start;
    private int _end;
    private int _scanned;
    private OversizedLine? _oversized;
    private long _lineStarted;

    public MetadataSession(Stream stream, MetadataHandler handler, MetadataLimits limits, TokenBucket? rate = null, MetadataStats? stats = null)
    {
        _stream = stream;
        _handler = handler;
        _limits = limits;
        _rate = rate;
        _stats = stats ?? new MetadataStats();
    }

    /// <summary>Serves the connection until it ends; the stream is left for the caller to dispose.</summary>
    public async Task<MetadataSessionEnd> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                var end = await ProcessBufferedAsync(timeout, ct);
                if (end is not null)
                    return end.Value;
                if (!await FlushAsync(timeout, ct))
                    return ct.IsCancellationRequested ? MetadataSessionEnd.Canceled : Timeout(MetadataSessionEnd.WriteTimeout);
                Compact();
                // A line's clock starts when its first bytes are seen, just after the read that brought them.
                bool partial = _end > _start || _oversized is not null;
                if (!partial)
                    _lineStarted = 0;
                else if (_lineStarted == 0)
                    _lineStarted = Environment.TickCount64;
                TimeSpan? limit = partial ? Remaining(_limits.LineTimeout) : _limits.IdleTimeout;
                if (limit is { } l)
                    timeout.CancelAfter(l < TimeSpan.Zero ? TimeSpan.Zero : l);
                int n;
                try
                {
                    n = await _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return Timeout(partial ? MetadataSessionEnd.LineTimeout : MetadataSessionEnd.IdleTimeout);
                }
                if (!timeout.TryReset())
                    return ct.IsCancellationRequested ? MetadataSessionEnd.Canceled : Timeout(partial ? MetadataSessionEnd.LineTimeout : MetadataSessionEnd.IdleTimeout);
                if (n == 0)
                    return MetadataSessionEnd.Closed;
                _end += n;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return MetadataSessionEnd.Canceled;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return MetadataSessionEnd.IoError;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>Answers every complete line in the buffer; returns non-null when the session must end.</summary>
    private async ValueTask<MetadataSessionEnd?> ProcessBufferedAsync(CancellationTokenSource timeout, CancellationToken ct)
    {
        while (_end > _start)
        {
            // Bytes before _scanned are known to hold no newline: a line trickling in byte by
            // byte must not be rescanned from its start on every read.
            int from = Math.Max(_start, _scanned);
            int newline = Array.IndexOf(_buffer, (byte)'\n', from, _end - from);
            _scanned = newline < 0 ? _end : newline + 1;
            if (_oversized is not null)
            {
                int lineEnd = newline < 0 ? _end : newline;
                _oversized.Feed(_buffer.AsSpan(_start, lineEnd - _start));
                _start = lineEnd;
                if (newline < 0)
                    break;
                _start++;
                _lineStarted = 0;
                var line = _oversized;
                _oversized = null;
                if (await AdmitAsync(timeout, ct) is { } ended)
                    return ended;
                ReplyOversized(line);
                continue;
            }
            if (newline < 0)
            {
                if (_end - _start > _limits.MaxLineBytes)
                {
                    _oversized = new OversizedLine(_buffer.AsSpan(_start, _end - _start));
                    _stats.AddOversized();
                    _start = _end;
                }
                break;
            }
            int length = newline - _start;
            if (length > _limits.MaxLineBytes)
            {
                var line = new OversizedLine(_buffer.AsSpan(_start, length));
                _stats.AddOversized();
                _start = newline + 1;
                _lineStarted = 0;
                if (await AdmitAsync(timeout, ct) is { } ended)
                    return ended;
                ReplyOversized(line);
                continue;
            }
            var request = MetadataCodec.ParseRequest(_buffer.AsSpan(_start, length));
            _start = newline + 1;
            _lineStarted = 0;
            if (await AdmitAsync(timeout, ct) is { } refused)
                return refused;
            if (request.Kind == MetadataRequestKind.Drop)
                _stats.AddDropped();
            var reply = await _handler.ExecuteAsync(request, ct);
            MetadataCodec.WriteReply(request, reply, _output);
            if (_output.WrittenCount >= FlushThreshold && !await FlushAsync(timeout, ct))
                return ct.IsCancellationRequested ? MetadataSessionEnd.Canceled : Timeout(MetadataSessionEnd.WriteTimeout);
        }
        return null;
    }

    private void ReplyOversized(OversizedLine line)
    {
        if (line.CheckedRequestId() is { } requestId)
            MetadataCodec.WriteV2Reply(requestId, MetadataHandler.TooLarge(_limits), _output);
        else if (line.IsV2)
            _stats.AddDropped();
        else
            _output.Write("FAILURE\n"u8);
    }

    /// <summary>
    /// Takes a token from the zone's bucket, sending what is pending first if it has to wait.
    /// Returns non-null when the session must end instead.
    /// </summary>
    private async ValueTask<MetadataSessionEnd?> AdmitAsync(CancellationTokenSource timeout, CancellationToken ct)
    {
        _stats.AddRequest();
        if (_rate is null)
            return null;
        if (!_rate.TryTake(_limits.MaxRateDelay, out var wait))
        {
            _stats.AddFlood();
            return MetadataSessionEnd.Flood;
        }
        // A wait shorter than the timer's resolution would stall the connection for a whole tick;
        // the reservation is made either way, so the debt grows until one wait covers it.
        if (wait >= ShortestWait)
        {
            if (!await FlushAsync(timeout, ct))
                return ct.IsCancellationRequested ? MetadataSessionEnd.Canceled : Timeout(MetadataSessionEnd.WriteTimeout);
            await Task.Delay(wait, ct);
        }
        return null;
    }

    private async ValueTask<bool> FlushAsync(CancellationTokenSource timeout, CancellationToken ct)
    {
        if (_output.WrittenCount == 0)
            return true;
        timeout.CancelAfter(_limits.WriteTimeout);
        try
        {
            await _stream.WriteAsync(_output.WrittenMemory, timeout.Token);
            await _stream.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
        if (!timeout.TryReset())
            return false;
        if (_output.Capacity > FlushThreshold)
            _output = new ArrayBufferWriter<byte>(256);
        else
            _output.ResetWrittenCount();
        return true;
    }

    /// <summary>
    /// Moves the partial line to the front. The buffer doubles while a line fills half of it, up
    /// to the line limit (longer lines are not kept), and shrinks back after a large line.
    /// </summary>
    private void Compact()
    {
        int pending = _end - _start;
        int size = _buffer.Length;
        if (pending == 0 && size > FlushThreshold)
            size = InitialBuffer;
        else if (pending >= size / 2 && size <= _limits.MaxLineBytes)
            size = Math.Min(size * 2, _limits.MaxLineBytes + 1);
        if (size != _buffer.Length)
        {
            var replacement = ArrayPool<byte>.Shared.Rent(size);
            _buffer.AsSpan(_start, pending).CopyTo(replacement);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = replacement;
        }
        else if (_start > 0)
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        _scanned = Math.Max(0, _scanned - _start);
        _start = 0;
        _end = pending;
    }

    private TimeSpan? Remaining(TimeSpan? limit) =>
        limit is { } l ? l - TimeSpan.FromMilliseconds(Environment.TickCount64 - _lineStarted) : null;

    private MetadataSessionEnd Timeout(MetadataSessionEnd end)
    {
        _stats.AddTimeout();
        return end;
    }
}
