using System.Net.Sockets;

namespace Solstice.Metadata;

/// <summary>
/// A listening unix stream socket, as the SmartOS agent creates per zone. A stale socket file at
/// the path is replaced; the file is removed on dispose. Who may connect is decided by
/// <paramref name="mode"/> and by the directory the daemon puts it in.
/// </summary>
public sealed class UnixSocketMetadataTransport(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite) : IMetadataTransport
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private bool _started;
    private volatile bool _disposed;

    public string Description => path;

    public void Start()
    {
        File.Delete(path);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _started = true;
        File.SetUnixFileMode(path, mode);
        _listener.Listen(64);
    }

    public async ValueTask<Stream?> AcceptAsync(CancellationToken ct)
    {
        try
        {
            var client = await _listener.AcceptAsync(ct);
            return new NetworkStream(client, ownsSocket: true);
        }
        catch (Exception ex) when (_disposed && ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _listener.Dispose();
        if (_started)
            File.Delete(path);
        return ValueTask.CompletedTask;
    }
}
