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

    /// <summary>
    /// Sends one request and returns its result, throwing the daemon's error as SolsticeException.
    /// The reply's warnings go to <paramref name="warn"/> first, whether it succeeded or not.
    /// </summary>
    public JsonNode? Call(string op, JsonObject? args = null, Action<string>? warn = null)
    {
        Send(NodeProtocol.Request(op, args));
        var reply = ReadLine() ?? throw Closed();
        if (warn is not null)
        {
            foreach (string warning in NodeProtocol.Warnings(reply))
                warn(warning);
        }
        return NodeProtocol.Unwrap(reply);
    }

    /// <summary>
    /// What a client says when the daemon goes away between a request and its answer (it crashed
    /// or was killed): the request may have been partly carried out, and recovery at the daemon's
    /// next start completes or undoes it, so the user is sent to look.
    /// </summary>
    public const string ClosedMessage =
        "solsticed exited before answering; the operation may be incomplete: check with 'vmadm list' or 'vmadm get <uuid>' once solsticed is back";

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
            // ReadLine never throws: a reply the daemon sent before closing, or null.
            if (ReadLine() is { } reply)
                NodeProtocol.Unwrap(reply);
            throw Closed(ex);
        }
    }

    /// <summary>The next reply line; null when the daemon closed the connection (or died) before a whole line.</summary>
    public JsonObject? ReadLine()
    {
        string? line;
        try
        {
            line = _reader.ReadLine();
        }
        catch (IOException)
        {
            return null;
        }
        try
        {
            return line is null ? null : JsonNode.Parse(line) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            // Half a line: the daemon died while writing it.
            return null;
        }
    }

    /// <summary>The error for a connection the daemon closed before answering.</summary>
    public static SolsticeException Closed(Exception? inner = null) => new(ErrorCode.Unavailable, ClosedMessage, inner);

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
