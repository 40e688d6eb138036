using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Protocol;
using Solstice.Linux;

namespace Solstice.Node;

/// <summary>One client connection: line-oriented JSON, with access to the raw stream for streaming ops.</summary>
public sealed class NodeConnection(Socket socket, Stream stream, TimeSpan writeTimeout)
{
    public NodeConnection(Socket socket, Stream stream)
        : this(socket, stream, NodeServerLimits.Default.WriteTimeout)
    {
    }

    public Socket Socket { get; } = socket;

    public Stream Stream { get; } = stream;

    private List<string>? _warnings;

    /// <summary>A warning for the reply to the request being served, success or failure (vmadm prints them to stderr).</summary>
    public void Warn(string warning) => (_warnings ??= []).Add(warning);

    /// <summary>The warnings of the request just served, and none for the next.</summary>
    internal List<string>? TakeWarnings()
    {
        var warnings = _warnings;
        _warnings = null;
        return warnings;
    }

    /// <summary>Sends one line; a client that doesn't take it within the write timeout is cut off (IOException).</summary>
    public async Task SendAsync(JsonNode message, CancellationToken ct)
    {
        byte[] line = Encoding.UTF8.GetBytes(NodeProtocol.Serialize(message) + "\n");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(writeTimeout);
        try
        {
            await Stream.WriteAsync(line, timeout.Token);
            await Stream.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException($"client did not read its reply within {writeTimeout.TotalSeconds:0} s");
        }
    }
}

/// <summary>Handles one request. Streaming handlers send their own reply and return Streamed.</summary>
public delegate Task<JsonNode?> RequestHandler(JsonObject args, NodeConnection connection, CancellationToken ct);

/// <summary>What one client may make the daemon hold, and for how long (docs/errors.md, "The node socket").</summary>
public sealed record NodeServerLimits
{
    /// <summary>Longest request line; a longer one is answered with an error and the connection closed.</summary>
    public int MaxRequestBytes { get; init; } = NodeProtocol.MaxRequestBytes;

    /// <summary>Connections served at once (streams such as vmadm events and consoles included); more are refused.</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>A connection with no request under way is closed after this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A request must arrive in full this long after its first byte (slow clients).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client that doesn't read a reply for this long is disconnected.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static NodeServerLimits Default { get; } = new();
}

/// <summary>
/// The root-only unix socket the CLIs talk to. The socket file is created 0600 in a 0700
/// directory, so only root can connect; each connection is served on its own task. Requests are
/// read through a pipe of pooled segments, so a connection holds no buffer of its own between
/// requests and at most <see cref="NodeServerLimits.MaxRequestBytes"/> while one arrives.
/// </summary>
public sealed class NodeServer(string path, IReadOnlyDictionary<string, RequestHandler> handlers, NodeServerLimits? limits = null) : IDisposable
{
    /// <summary>Returned by streaming handlers that have already replied.</summary>
    public static readonly JsonNode Streamed = JsonValue.Create("streamed")!;

    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly NodeServerLimits _limits = limits ?? NodeServerLimits.Default;
    private int _connections;

    /// <summary>Connections being served now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Start()
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(path);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(512);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (Interlocked.Increment(ref _connections) > _limits.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                _ = Task.Run(() => RefuseAsync(client), CancellationToken.None);
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, ct);
                }
                finally
                {
                    Interlocked.Decrement(ref _connections);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>Tells a client over the connection limit why, without reading its request.</summary>
    private async Task RefuseAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await new NodeConnection(client, stream, _limits.WriteTimeout).SendAsync(NodeProtocol.Failure(ErrorCode.Unavailable,
                $"solsticed is serving its limit of {_limits.MaxConnections} connections; try again later"), CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        var connection = new NodeConnection(client, stream, _limits.WriteTimeout);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 << 10, minimumReadSize: 4 << 10, leaveOpen: true));
        try
        {
            while (true)
            {
                var (outcome, reply) = await ReadRequestAsync(reader, connection, ct);
                if (outcome == ReadOutcome.Closed)
                    return;
                if (ReferenceEquals(reply, Streamed))
                    return;
                await connection.SendAsync(reply!, ct);
                if (outcome == ReadOutcome.Refused)
                    return;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private enum ReadOutcome { Handled, Refused, Closed }

    /// <summary>
    /// Reads one line and runs it: Closed at EOF or when the client sat idle past the idle
    /// timeout; Refused (an error reply, then close) when the line outgrows the request limit or
    /// takes longer than the request timeout to arrive.
    /// </summary>
    private async Task<(ReadOutcome, JsonNode?)> ReadRequestAsync(PipeReader reader, NodeConnection connection, CancellationToken ct)
    {
        bool started = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_limits.IdleTimeout);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (!started)
                    return (ReadOutcome.Closed, null);
                return (ReadOutcome.Refused, NodeProtocol.Failure(ErrorCode.InvalidArgument,
                    $"request timed out: it did not arrive in full within {_limits.RequestTimeout.TotalSeconds:0} s"));
            }
            var buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } newline)
            {
                if (buffer.Slice(0, newline).Length > _limits.MaxRequestBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return (ReadOutcome.Refused, TooLarge());
                }
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                // The line is parsed straight from the pipe's pooled segments, then released.
                var request = Parse(buffer.Slice(0, newline), out var error);
                reader.AdvanceTo(buffer.GetPosition(1, newline));
                return (ReadOutcome.Handled, error ?? await DispatchAsync(request!, connection, ct));
            }
            if (buffer.Length > _limits.MaxRequestBytes)
            {
                reader.AdvanceTo(buffer.End);
                return (ReadOutcome.Refused, TooLarge());
            }
            if (read.IsCompleted)
                return (ReadOutcome.Closed, null);
            if (!started && buffer.Length > 0)
            {
                started = true;
                deadline.CancelAfter(_limits.RequestTimeout);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private JsonObject TooLarge() => NodeProtocol.Failure(ErrorCode.InvalidArgument,
        $"request too large: solsticed accepts requests of at most {_limits.MaxRequestBytes} bytes");

    /// <summary>The request object, or the error reply for a line that is not one.</summary>
    private static JsonObject? Parse(ReadOnlySequence<byte> line, out JsonObject? error)
    {
        error = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (JsonNode.Parse(ref reader) is JsonObject request)
            {
                if (reader.Read())
                    throw new JsonException("text follows the request object");
                return request;
            }
            error = NodeProtocol.Failure(ErrorCode.InvalidArgument, "malformed request: not a JSON object");
        }
        catch (JsonException ex)
        {
            // The daemon is trimmed to resource keys (UseSystemResourceKeys): say where, not the BCL's text.
            error = NodeProtocol.Failure(ErrorCode.InvalidArgument,
                $"malformed request: not valid JSON at byte {(ex.BytePositionInLine ?? 0) + 1} of the request line");
        }
        return null;
    }

    private async Task<JsonNode?> DispatchAsync(JsonObject request, NodeConnection connection, CancellationToken ct)
    {
        var reply = await RunAsync(request, connection, ct);
        if (connection.TakeWarnings() is { Count: > 0 } warnings && reply is JsonObject replyObject && !ReferenceEquals(reply, Streamed))
            NodeProtocol.AddWarnings(replyObject, warnings);
        return reply;
    }

    private async Task<JsonNode?> RunAsync(JsonObject request, NodeConnection connection, CancellationToken ct)
    {
        if (request["op"] is not JsonValue opValue || !opValue.TryGetValue(out string? op))
            return NodeProtocol.Failure(ErrorCode.InvalidArgument, "malformed request: \"op\" must be a string naming an operation");
        if (!handlers.TryGetValue(op, out var handler))
            return NodeProtocol.Failure(ErrorCode.InvalidArgument, $"unknown operation '{op}'");
        try
        {
            // Socket continuations run inline on the runtime's event thread (see Program); a
            // handler may block for a long time (create, stop), so it runs on the thread pool.
            var args = request["args"] as JsonObject ?? new JsonObject();
            var result = await Task.Run(() =>
            {
                WorkPriority.EnsureRequest();
                return handler(args, connection, ct);
            }, ct);
            return ReferenceEquals(result, Streamed) ? Streamed : NodeProtocol.Success(result);
        }
        catch (SolsticeException ex)
        {
            return NodeProtocol.Failure(ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"solsticed: {op} failed: {ex}");
            return NodeProtocol.Failure(ErrorCode.Internal, $"{op} failed: {ex.Message}");
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(path);
    }
}
