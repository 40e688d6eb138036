using System.Net.Sockets;
using Solstice.Metadata;

namespace Solstice.Instances.Hvm;

/// <summary>
/// The metadata service's side of an HVM guest's COM2: QEMU listens on a unix socket for the
/// serial line (-chardev socket,server=on,wait=off) and this transport connects to it, yielding
/// one stream at a time, the way a zone's listener yields one per guest connection. When the
/// session on it ends (QEMU closed it, or the session gave up on a flooding or corrupt line), it
/// connects again, after a pause so a guest that breaks every session cannot spin the daemon.
/// While QEMU is not (yet) listening it retries at the same pace. Because QEMU is the listener,
/// the guest's line survives a daemon restart: the new daemon simply connects.
/// </summary>
public sealed class SerialMetadataTransport(string socketPath) : IMetadataTransport
{
    private readonly CancellationTokenSource _closed = new();
    private TaskCompletionSource _sessionEnded = CompletedSource();

    /// <summary>The pause between one connection ending (or failing) and the next attempt.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public string Description => socketPath;

    public void Start()
    {
    }

    public async ValueTask<Stream?> AcceptAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closed.Token);
        try
        {
            // One stream at a time: the serial line is one connection.
            await _sessionEnded.Task.WaitAsync(linked.Token);
            bool first = true;
            while (true)
            {
                if (!first)
                    await Task.Delay(RetryDelay, linked.Token);
                first = false;
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), linked.Token);
                }
                catch (SocketException)
                {
                    socket.Dispose();
                    continue;
                }
                var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _sessionEnded = ended;
                return new SessionStream(new NetworkStream(socket, ownsSocket: true), () => _ = EndAfterDelayAsync(ended));
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task EndAfterDelayAsync(TaskCompletionSource ended)
    {
        try
        {
            await Task.Delay(RetryDelay, _closed.Token);
        }
        catch (OperationCanceledException)
        {
        }
        ended.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        // _closed is not disposed: a late AcceptAsync must still see it cancelled.
        await _closed.CancelAsync();
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    /// <summary>The connected stream, telling the transport when its session is over.</summary>
    private sealed class SessionStream(NetworkStream inner, Action ended) : Stream
    {
        private int _disposed;

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.WriteAsync(buffer, offset, count, ct);
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                ended();
            }
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
            return ValueTask.CompletedTask;
        }
    }
}
