using System.Net.Sockets;

namespace Solstice.Instances.Hvm.Qmp;

/// <summary>A QMP message longer than the client's limit; the connection is closed.</summary>
public sealed class QmpMessageTooLargeException(int limit)
    : IOException($"QEMU sent a QMP message longer than {limit} bytes");

/// <summary>
/// Splits the socket's bytes into LF-terminated messages (QEMU ends each with CR LF; the CR is
/// left to the JSON parser, which treats it as whitespace). A message longer than the limit
/// throws instead of growing the buffer.
/// </summary>
internal sealed class QmpLineReader(Socket socket, int maxMessageBytes)
{
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    /// <summary>The next message without its LF, valid until the next call; null at end of stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline - _start);
                _start = newline + 1;
                if (line.Span.Trim("\r "u8).IsEmpty)
                    continue;
                return line;
            }
            if (_end - _start > maxMessageBytes)
                throw new QmpMessageTooLargeException(maxMessageBytes);
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxMessageBytes + 2));
            int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
            if (read == 0)
                return null;
            _end += read;
        }
    }
}
