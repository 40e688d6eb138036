using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Solstice.Core;

namespace Solstice.Instances.Hvm.Qmp;

/// <summary>
/// A QEMU Machine Protocol connection over QEMU's monitor socket: newline-terminated JSON
/// objects. <see cref="ConnectAsync"/> reads the greeting and leaves capabilities negotiation
/// mode (qmp_capabilities); then commands carry an id and may run concurrently, answers are
/// matched by id, and asynchronous events go to <see cref="Events"/>, never into a command's
/// answer. QEMU's monitor chardev takes one client at a time, so a VM has one QmpClient, owned by
/// the daemon. Messages longer than <see cref="QmpOptions.MaxMessageBytes"/> close the connection;
/// every command has a timeout. All JSON is read with JsonDocument and written with
/// Utf8JsonWriter, and typed answers use source-generated metadata (<see cref="QmpJson"/>), so
/// this is trimming- and AOT-safe.
/// </summary>
public sealed partial class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly string _path;
    private readonly QmpOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly Channel<QmpEvent> _events;
    private readonly CancellationTokenSource _stop = new();
    private readonly QmpLineReader _reader;
    private Task _readLoop = Task.CompletedTask;
    private long _nextId;
    private long _droppedEvents;
    private volatile string? _closedReason;
    private int _disposed;

    private sealed record Pending(string Command, TaskCompletionSource<JsonElement> Answer);

    private QmpClient(Socket socket, string path, QmpOptions options)
    {
        _socket = socket;
        _path = path;
        _options = options;
        _reader = new QmpLineReader(socket, options.MaxMessageBytes);
        _events = Channel.CreateBounded<QmpEvent>(
            new BoundedChannelOptions(options.EventCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false },
            _ => Interlocked.Increment(ref _droppedEvents));
    }

    /// <summary>QEMU's version from the greeting.</summary>
    public QmpVersion Version { get; private set; } = new(new QmpVersionTriple(0, 0, 0), "");

    /// <summary>Events in arrival order; completes when the connection ends.</summary>
    public ChannelReader<QmpEvent> Events => _events.Reader;

    /// <summary>Events dropped because nobody read <see cref="Events"/> fast enough.</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>False once QEMU closed the socket, a message broke the protocol, or the client was disposed.</summary>
    public bool IsConnected => _closedReason is null;

    /// <summary>Connects to the monitor socket at <paramref name="path"/> and negotiates capabilities.</summary>
    public static async Task<QmpClient> ConnectAsync(string path, QmpOptions? options = null, CancellationToken ct = default)
    {
        options ??= QmpOptions.Default;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var client = new QmpClient(socket, path, options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            var greeting = await client._reader.ReadAsync(timeout.Token)
                ?? throw new SolsticeException(ErrorCode.Unavailable, $"QEMU closed the QMP socket {path} before its greeting");
            client.Version = ParseGreeting(greeting, path);
            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            await client.ExecuteAsync("qmp_capabilities", null, options.ConnectTimeout, timeout.Token);
            return client;
        }
        catch (Exception ex)
        {
            await client.DisposeAsync();
            if (ex is OperationCanceledException && !ct.IsCancellationRequested)
                throw new SolsticeException(ErrorCode.Unavailable, $"QEMU's QMP socket {path} did not answer within {options.ConnectTimeout.TotalSeconds:0} s", ex);
            if (ex is SocketException se)
                throw new SolsticeException(ErrorCode.Unavailable, $"cannot connect to QEMU's QMP socket {path}: {se.Message}", ex);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> with the arguments <paramref name="writeArguments"/> writes
    /// into the "arguments" object (none when null) and returns the "return" value, detached.
    /// Throws <see cref="QmpException"/> for a QMP error answer, and an
    /// <see cref="ErrorCode.Unavailable"/> SolsticeException on timeout or a lost connection.
    /// </summary>
    public async Task<JsonElement> ExecuteAsync(string command, Action<Utf8JsonWriter>? writeArguments = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ThrowIfClosed(command);
        long id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(command, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[id] = pending;
        // Close() may have run between the check above and the registration: fail now, not at the timeout.
        if (_closedReason is not null)
        {
            _pending.TryRemove(id, out _);
            ThrowIfClosed(command);
        }
        try
        {
            var message = new ArrayBufferWriter<byte>(128);
            using (var json = new Utf8JsonWriter(message))
            {
                json.WriteStartObject();
                json.WriteString("execute", command);
                if (writeArguments is not null)
                {
                    json.WriteStartObject("arguments");
                    writeArguments(json);
                    json.WriteEndObject();
                }
                json.WriteNumber("id", id);
                json.WriteEndObject();
            }
            message.Write("\n"u8);
            var limit = timeout ?? _options.CommandTimeout;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(limit);
            try
            {
                await _writeLock.WaitAsync(deadline.Token);
                try
                {
                    await _socket.SendAsync(message.WrittenMemory, SocketFlags.None, deadline.Token);
                }
                finally
                {
                    _writeLock.Release();
                }
                return await pending.Answer.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SolsticeException(ErrorCode.Unavailable, $"QEMU did not answer '{command}' on {_path} within {limit.TotalSeconds:0.#} s");
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                throw new SolsticeException(ErrorCode.Unavailable, $"cannot send '{command}' to QEMU on {_path}: {_closedReason ?? ex.Message}", ex);
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        string reason = "QEMU closed the QMP connection";
        try
        {
            while (await _reader.ReadAsync(_stop.Token) is { } line)
            {
                if (!Dispatch(line.Span))
                {
                    reason = "QEMU sent a QMP message that is not a JSON object";
                    break;
                }
            }
        }
        catch (QmpMessageTooLargeException ex)
        {
            reason = ex.Message;
        }
        catch (OperationCanceledException)
        {
            reason = "the QMP client was closed";
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            reason = $"the QMP connection failed: {ex.Message}";
        }
        Close(reason);
    }

    /// <summary>Routes one message: an answer to its command, an event to <see cref="Events"/>.</summary>
    private bool Dispatch(ReadOnlySpan<byte> line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            return false;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return false;
            if (root.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String)
            {
                _events.Writer.TryWrite(new QmpEvent(name.GetString()!, EventTime(root), root.TryGetProperty("data", out var data) ? data.Clone() : default));
                return true;
            }
            if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out long id) || !_pending.TryGetValue(id, out var pending))
                return true; // an answer nobody waits for any more (timed out), or an unsolicited one
            if (root.TryGetProperty("return", out var value))
            {
                pending.Answer.TrySetResult(value.Clone());
            }
            else if (root.TryGetProperty("error", out var error))
            {
                string errorClass = error.TryGetProperty("class", out var c) ? c.GetString() ?? "" : "";
                string desc = error.TryGetProperty("desc", out var d) ? d.GetString() ?? "" : "";
                pending.Answer.TrySetException(new QmpException(pending.Command, errorClass, desc));
            }
            return true;
        }
    }

    private static DateTimeOffset EventTime(JsonElement root)
    {
        if (root.TryGetProperty("timestamp", out var ts) &&
            ts.TryGetProperty("seconds", out var s) && s.TryGetInt64(out long seconds) &&
            ts.TryGetProperty("microseconds", out var us) && us.TryGetInt64(out long micros))
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * 10);
        return DateTimeOffset.UtcNow;
    }

    private static QmpVersion ParseGreeting(ReadOnlyMemory<byte> line, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                doc.RootElement.TryGetProperty("QMP", out var qmp) && qmp.TryGetProperty("version", out var version))
                return version.Deserialize(QmpJson.Default.QmpVersion) ?? throw new JsonException();
        }
        catch (JsonException)
        {
        }
        throw new SolsticeException(ErrorCode.BackendFailed, $"{path} is not a QMP socket: its greeting is not QEMU's");
    }

    private void ThrowIfClosed(string command)
    {
        if (_closedReason is { } reason)
            throw new SolsticeException(ErrorCode.Unavailable, $"cannot send '{command}' to QEMU on {_path}: {reason}");
    }

    private void Close(string reason)
    {
        _closedReason ??= reason;
        foreach (var (_, pending) in _pending)
            pending.Answer.TrySetException(new SolsticeException(ErrorCode.Unavailable, $"no answer to '{pending.Command}' from QEMU on {_path}: {reason}"));
        _events.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _closedReason ??= "the QMP client was closed";
        await _stop.CancelAsync();
        _socket.Dispose();
        await _readLoop;
        Close(_closedReason);
        _stop.Dispose();
        _writeLock.Dispose();
    }
}
