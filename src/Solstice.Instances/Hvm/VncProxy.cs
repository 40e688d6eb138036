using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Solstice.Instances.Hvm;

/// <summary>
/// vnc_port: a TCP listener that forwards each client to QEMU's VNC unix socket, as SmartOS's
/// vmadmd forwards to a KVM zone's /tmp/vm.vnc. QEMU itself never listens on TCP: it runs in the
/// VM's network namespace, unreachable from the host's, and QEMU's -vnc can only express ports
/// 5900 and up, while vnc_port is any port or 0 for one the kernel picks. The proxy relays bytes
/// only; VNC authentication (vnc_password) is QEMU's. At most <see cref="MaxClients"/> clients at once.
/// </summary>
public sealed class VncProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _vncSocket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _relays = new();
    private readonly Task _acceptLoop;
    private int _clients;

    public const int MaxClients = 8;

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> (0: a port the kernel picks,
    /// see <see cref="Port"/>) and relays to <paramref name="vncSocket"/>. Bind failures throw here.
    /// </summary>
    public VncProxy(IPAddress address, int port, string vncSocket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        _vncSocket = vncSocket;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(16);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The TCP port listened on (the chosen one when 0 was asked for).</summary>
    public int Port { get; }

    public int Clients => Volatile.Read(ref _clients);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(100, CancellationToken.None);
                continue;
            }
            if (Interlocked.Increment(ref _clients) > MaxClients)
            {
                Interlocked.Decrement(ref _clients);
                client.Dispose();
                continue;
            }
            var relay = Task.Run(() => RelayAsync(client));
            _relays.TryAdd(relay, 0);
            _ = relay.ContinueWith(t => _relays.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using (client)
            {
                client.NoDelay = true;
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_vncSocket), _stop.Token);
                using var ends = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client, upstream, ends.Token);
                var down = PumpAsync(upstream, client, ends.Token);
                await Task.WhenAny(up, down);
                await ends.CancelAsync();
                await Task.WhenAll(up, down);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // QEMU gone or the proxy closing: the client just sees its connection end.
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_relays.Keys);
        _stop.Dispose();
    }
}
