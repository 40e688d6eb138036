using System.Collections.Concurrent;
using System.Threading.Channels;
using Solstice.Linux.Interop;

namespace Solstice.Node;

/// <summary>
/// The zones' consoles. For each running zone the daemon holds the pty master (the fd holder
/// keeps a copy across restarts). One thread waits on every master in an epoll set, so a zone
/// costs a descriptor rather than a blocked thread; what a zone writes goes to its console log
/// (<see cref="ConsoleLog"/>, outside the zone's dataset) and to attached `vmadm console` /
/// `zlogin -C` clients, whose keystrokes are written back to the master. Nothing about the log
/// (a full disk, a removed directory) reaches the zone's console or its stop: log writes that fail
/// are dropped, and releasing a console always closes its master.
/// </summary>
public sealed class ConsoleHub : IDisposable
{
    private readonly int _epoll = Pidfd.CreateEpoll();
    private readonly ConcurrentDictionary<ulong, ZoneConsole> _byToken = new();
    private readonly ConcurrentDictionary<string, ZoneConsole> _byUuid = new(StringComparer.Ordinal);
    private readonly Thread _thread;
    private ulong _nextToken;
    private volatile bool _stopping;

    public ConsoleHub()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "consoles" };
        _thread.Start();
    }

    /// <summary>Takes ownership of master (a non-negative fd).</summary>
    public void Attach(string uuid, int master, string logPath)
    {
        Detach(uuid);
        Fcntl.SetNonBlocking(master);
        ulong token = Interlocked.Increment(ref _nextToken);
        var console = new ZoneConsole(master, logPath, token);
        _byUuid[uuid] = console;
        _byToken[token] = console;
        Pidfd.Add(_epoll, master, token);
    }

    /// <summary>Releases the zone's console: never throws, always closes the master.</summary>
    public void Detach(string uuid)
    {
        if (!_byUuid.TryRemove(uuid, out var console))
            return;
        _byToken.TryRemove(console.Token, out _);
        Pidfd.Remove(_epoll, console.Fd);
        console.Dispose();
    }

    /// <summary>How many pty masters the hub holds (one per running zone).</summary>
    public int Count => _byUuid.Count;

    public bool Has(string uuid) => _byUuid.ContainsKey(uuid);

    /// <summary>Connects a client to a zone's console until the client closes or the zone goes away.</summary>
    public async Task SessionAsync(string uuid, Stream client, CancellationToken ct)
    {
        if (!_byUuid.TryGetValue(uuid, out var console))
            return;
        var outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        console.Clients[outbound] = 0;
        var writer = Task.Run(async () =>
        {
            await foreach (var chunk in outbound.Reader.ReadAllAsync(ct))
            {
                await client.WriteAsync(chunk, ct);
                await client.FlushAsync(ct);
            }
        }, ct);
        try
        {
            var buffer = new byte[4096];
            while (true)
            {
                var read = client.ReadAsync(buffer, ct).AsTask();
                if (await Task.WhenAny(read, writer) != read)
                    break;
                int n = await read;
                if (n == 0)
                    break;
                console.Write(buffer.AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            console.Clients.TryRemove(outbound, out _);
            outbound.Writer.TryComplete();
        }
    }

    private void Loop()
    {
        Span<ulong> ready = stackalloc ulong[64];
        var buffer = new byte[16384];
        while (!_stopping)
        {
            int n = Pidfd.Wait(_epoll, ready, 500);
            for (int i = 0; i < n; i++)
            {
                if (_byToken.TryGetValue(ready[i], out var console))
                    console.Drain(buffer, this);
            }
        }
    }

    internal void Hangup(ZoneConsole console) => Pidfd.Remove(_epoll, console.Fd);

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(2000);
        foreach (var console in _byUuid.Values)
            console.Dispose();
        Libc.Close(_epoll);
    }

    internal sealed class ZoneConsole(int fd, string logPath, ulong token) : IDisposable
    {
        private readonly ConsoleLog _log = new(logPath);

        public int Fd { get; } = fd;

        public ulong Token { get; } = token;

        public ConcurrentDictionary<Channel<byte[]>, byte> Clients { get; } = new();

        public void Drain(byte[] buffer, ConsoleHub hub)
        {
            while (true)
            {
                long n = Fcntl.Read(Fd, buffer);
                if (n <= 0)
                {
                    // EAGAIN: drained. EIO/0: the zone closed its console (every slave is gone).
                    if (n == 0 || !Fcntl.LastWasWouldBlock())
                        hub.Hangup(this);
                    return;
                }
                var chunk = buffer.AsSpan(0, (int)n);
                _log.Append(chunk);
                byte[] copy = chunk.ToArray();
                foreach (var client in Clients.Keys)
                    client.Writer.TryWrite(copy);
            }
        }

        public void Write(ReadOnlySpan<byte> data) => Fcntl.Write(Fd, data);

        public void Dispose()
        {
            foreach (var client in Clients.Keys)
                client.Writer.TryComplete();
            Libc.Close(Fd);
            _log.Dispose();
        }
    }
}
