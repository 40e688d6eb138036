using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Node;

/// <summary>A connection to solsticed's unix socket. One request per call; streams stay open.</summary>
public sealed class NodeClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private NodeClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), false, 64 << 10);
    }

    public Stream Stream => _stream;

    public static NodeClient Connect(string? socketPath = null)
    {
        string path = NodeProtocol.SocketPath(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new SolsticeException(ErrorCode.Unavailable,
                ex.SocketErrorCode == SocketError.AccessDenied
                    ? $"permission denied on {path}: run as root"
                    : $"cannot connect to solsticed at {path}: {ex.Message} (is the daemon running? start it with 'solsticed')", ex);
        }
        return new NodeClient(socket);
    }

    /// <summary>Sends one request and returns its result, throwing the daemon's error as SolsticeException.</summary>
    public JsonNode? Call(string op, JsonObject? args = null)
    {
        Send(NodeProtocol.Request(op, args));
        return NodeProtocol.Unwrap(ReadLine() ?? throw Closed());
    }

    public static JsonNode? CallOnce(string op, JsonObject? args = null, string? socketPath = null)
    {
        using var client = Connect(socketPath);
        return client.Call(op, args);
    }

    /// <summary>
    /// Sends one request line. One over the daemon's limit is refused here, before it is sent;
    /// when the daemon closes the connection while the line is still going out, the reason it
    /// answered first (request too large, too many connections) is what this throws.
    /// </summary>
    public void Send(JsonObject message)
    {
        byte[] line = Encoding.UTF8.GetBytes(NodeProtocol.Serialize(message) + "\n");
        if (line.Length - 1 > NodeProtocol.MaxRequestBytes)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"request too large: {line.Length - 1} bytes, solsticed accepts requests of at most {NodeProtocol.MaxRequestBytes} bytes");
        try
        {
            _stream.Write(line);
            _stream.Flush();
        }
        catch (IOException ex)
        {
            JsonObject? reply = null;
            try
            {
                reply = ReadRawLine();
            }
            catch (Exception inner) when (inner is IOException or System.Text.Json.JsonException)
            {
            }
            if (reply is not null)
                NodeProtocol.Unwrap(reply);
            throw Closed(ex);
        }
    }

    /// <summary>The next line from the daemon, or null at EOF; a connection the daemon reset is <c>solsticed closed the connection</c>.</summary>
    public JsonObject? ReadLine()
    {
        try
        {
            return ReadRawLine();
        }
        catch (IOException ex)
        {
            throw Closed(ex);
        }
    }

    private JsonObject? ReadRawLine()
    {
        string? line = _reader.ReadLine();
        return line is null ? null : JsonNode.Parse(line) as JsonObject;
    }

    private static SolsticeException Closed(Exception? inner = null) =>
        new(ErrorCode.Unavailable, "solsticed closed the connection", inner);

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
