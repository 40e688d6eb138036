using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Solstice.Metadata;

/// <summary>
/// The metadata service of one zone: accepts guest connections from a transport (by default a
/// unix socket at a path the daemon chooses) and serves each on its own task, all sharing the
/// zone's store, limits and request rate. One zone's guests can't slow down another's: each
/// zone has its own server, and a session only ever blocks itself.
/// </summary>
public sealed class MetadataServer : IAsyncDisposable
{
    private readonly IMetadataTransport _transport;
    private readonly MetadataHandler _handler;
    private readonly TokenBucket _rate;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _sessions = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;
    private int _disposed;

    /// <summary>A server listening on a unix socket at <paramref name="socketPath"/> (mode 0600 unless given).</summary>
    public MetadataServer(string socketPath, IMetadataStore store, MetadataLimits? limits = null, Action<string>? log = null, UnixFileMode? socketMode = null)
        : this(new UnixSocketMetadataTransport(socketPath, socketMode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite)), store, limits, log)
    {
    }

    public MetadataServer(IMetadataTransport transport, IMetadataStore store, MetadataLimits? limits = null, Action<string>? log = null)
    {
        _transport = transport;
        Limits = limits ?? MetadataLimits.Default;
        _handler = new MetadataHandler(store, Limits);
        _rate = new TokenBucket(Limits.RequestsPerSecond, Limits.Burst);
        _log = log;
    }

    public MetadataLimits Limits { get; }

    public MetadataStats Stats { get; } = new();

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Opens the transport (binding errors are thrown here) and starts accepting.</summary>
    public void Start()
    {
        _transport.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// Serves one already-connected stream as a guest connection of this zone, subject to the
    /// same limits and rate; completes when the session ends. For transports driven by the caller
    /// and for in-process benchmarks. The stream is not disposed.
    /// </summary>
    public Task<MetadataSessionEnd> ServeAsync(Stream stream, CancellationToken ct) =>
        new MetadataSession(stream, _handler, Limits, _rate, Stats).RunAsync(ct);

    private async Task AcceptLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Stream? stream;
            try
            {
                stream = await _transport.AcceptAsync(ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // EMFILE and friends: back off instead of spinning; the listener stays usable.
                _log?.Invoke($"metadata {_transport.Description}: accept failed: {ex.Message}");
                try
                {
                    await Task.Delay(100, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            if (stream is null)
                break;
            if (Interlocked.Increment(ref _active) > Limits.MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                Stats.AddRejected();
                await stream.DisposeAsync();
                continue;
            }
            Stats.AddConnection();
            var session = Task.Run(() => RunSessionAsync(stream, ct), CancellationToken.None);
            _sessions.TryAdd(session, 0);
            _ = session.ContinueWith(t => _sessions.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunSessionAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            await using (stream)
            {
                var end = await new MetadataSession(stream, _handler, Limits, _rate, Stats).RunAsync(ct);
                if (end is not (MetadataSessionEnd.Closed or MetadataSessionEnd.Canceled))
                    _log?.Invoke($"metadata {_transport.Description}: connection closed: {end}");
            }
        }
        catch (Exception ex)
        {
            // A bug in a session must not take down the zone's server, let alone the daemon.
            Stats.AddError();
            _log?.Invoke($"metadata {_transport.Description}: session failed: {ex}");
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Stops accepting, ends every session, and removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync();
        await _transport.DisposeAsync();
        await _acceptLoop;
        await Task.WhenAll(_sessions.Keys);
        _stop.Dispose();
    }
}
