using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Protocol;

namespace Solstice.Node;

/// <summary>One client connection: line-oriented JSON, with access to the raw stream for streaming ops.</summary>
public sealed class NodeConnection(Socket socket, Stream stream)
{
    public Socket Socket { get; } = socket;

    public Stream Stream { get; } = stream;

    public async Task SendAsync(JsonNode message, CancellationToken ct)
    {
        byte[] line = Encoding.UTF8.GetBytes(NodeProtocol.Serialize(message) + "\n");
        await Stream.WriteAsync(line, ct);
        await Stream.FlushAsync(ct);
    }
}

/// <summary>Handles one request. Streaming handlers send their own reply and return Streamed.</summary>
public delegate Task<JsonNode?> RequestHandler(JsonObject args, NodeConnection connection, CancellationToken ct);

/// <summary>
/// The root-only unix socket the CLIs talk to. The socket file is created 0600 in a 0700
/// directory, so only root can connect; each connection is served on its own task.
/// </summary>
public sealed class NodeServer(string path, IReadOnlyDictionary<string, RequestHandler> handlers) : IDisposable
{
    /// <summary>Returned by streaming handlers that have already replied.</summary>
    public static readonly JsonNode Streamed = JsonValue.Create("streamed")!;

    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

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
            _ = Task.Run(() => ServeAsync(client, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        var connection = new NodeConnection(client, stream);
        var buffer = new List<byte>(4096);
        var chunk = new byte[8192];
        try
        {
            while (true)
            {
                byte[]? line = await ReadLineAsync(stream, buffer, chunk, ct);
                if (line is null)
                    return;
                JsonNode? reply = await DispatchAsync(line, connection, ct);
                if (ReferenceEquals(reply, Streamed))
                    return;
                await connection.SendAsync(reply!, ct);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task<JsonNode?> DispatchAsync(byte[] line, NodeConnection connection, CancellationToken ct)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException ex)
        {
            return NodeProtocol.Failure(ErrorCode.InvalidArgument, $"malformed request: {ex.Message}");
        }
        string? op = request?["op"]?.GetValue<string>();
        if (op is null || !handlers.TryGetValue(op, out var handler))
            return NodeProtocol.Failure(ErrorCode.InvalidArgument, $"unknown operation '{op}'");
        try
        {
            // Socket continuations run inline on the runtime's event thread (see Program); a
            // handler may block for a long time (create, stop), so it runs on the thread pool.
            var args = request!["args"] as JsonObject ?? new JsonObject();
            var result = await Task.Run(() => handler(args, connection, ct), ct);
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

    /// <summary>Reads up to '\n'; a line longer than the protocol allows drops the connection.</summary>
    private static async Task<byte[]?> ReadLineAsync(Stream stream, List<byte> buffer, byte[] chunk, CancellationToken ct)
    {
        while (true)
        {
            int newline = buffer.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                byte[] line = buffer.GetRange(0, newline).ToArray();
                buffer.RemoveRange(0, newline + 1);
                return line;
            }
            if (buffer.Count > NodeProtocol.MaxLineBytes)
                throw new IOException("request line too long");
            int n = await stream.ReadAsync(chunk, ct);
            if (n == 0)
                return null;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(path);
    }
}
