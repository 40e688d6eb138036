using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Solstice.Images.Http;

/// <summary>
/// A small HTTP/1.1 server on a TCP socket: one thread per connection, keep-alive, Content-Length
/// and chunked request bodies, responses with a known length. Enough for IMGAPI and for test
/// doubles of other HTTP services; it is no general web server (no TLS, no pipelining, no
/// Expect: 100-continue beyond answering it).
/// </summary>
public sealed class HttpServer : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private readonly Socket _listener;
    private readonly Func<HttpRequest, HttpResponse> _handler;
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _connections = [];
    private Thread? _acceptor;
    private volatile bool _stopping;

    public HttpServer(IPEndPoint endpoint, Func<HttpRequest, HttpResponse> handler)
    {
        _handler = handler;
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(endpoint);
        _listener.Listen(64);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>http://address:port, without a trailing slash.</summary>
    public string Url => LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6
        ? $"http://[{LocalEndPoint.Address}]:{LocalEndPoint.Port}"
        : $"http://{LocalEndPoint.Address}:{LocalEndPoint.Port}";

    public void Start()
    {
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "http accept" };
        _acceptor.Start();
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var connection in _connections)
                connection.Dispose();
        }
        _acceptor?.Join(TimeSpan.FromSeconds(5));
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_gate)
                _connections.Add(client);
            new Thread(() => Serve(client)) { IsBackground = true, Name = "http connection" }.Start();
        }
    }

    private void Serve(Socket client)
    {
        try
        {
            client.NoDelay = true;
            using var network = new NetworkStream(client, ownsSocket: false);
            var input = new BufferedStream(network, 1 << 16);
            var output = new BufferedStream(network, 1 << 16);
            while (!_stopping)
            {
                var head = ReadHead(input);
                if (head is null)
                    return;
                var (request, keepAlive) = head.Value;
                if (request.Header("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
                {
                    output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
                    output.Flush();
                }
                HttpResponse response;
                try
                {
                    response = _handler(request);
                }
                catch (Exception ex)
                {
                    response = HttpResponse.Json(500, new System.Text.Json.Nodes.JsonObject { ["code"] = "InternalError", ["message"] = ex.Message });
                }
                // Whatever the handler left unread must go before the next request can be parsed.
                try
                {
                    request.Body.CopyTo(Stream.Null);
                }
                catch (IOException)
                {
                    keepAlive = false;
                }
                Write(output, request, response, keepAlive);
                if (!keepAlive)
                    return;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            // The peer went away or spoke something that is not HTTP: drop the connection.
        }
        finally
        {
            lock (_gate)
                _connections.Remove(client);
            client.Dispose();
        }
    }

    private static void Write(Stream output, HttpRequest request, HttpResponse response, bool keepAlive)
    {
        long length = response.Body?.LongLength ?? (response.BodyStream is not null ? response.BodyLength : 0);
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {HttpResponse.Reason(response.Status)}\r\n");
        foreach (var (name, value) in response.Headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        head.Append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
        head.Append("\r\n");
        output.Write(Encoding.ASCII.GetBytes(head.ToString()));
        try
        {
            if (request.Method != "HEAD")
            {
                if (response.Body is { } body)
                    output.Write(body);
                else
                    response.BodyStream?.CopyTo(output, 1 << 17);
            }
        }
        finally
        {
            response.BodyStream?.Dispose();
        }
        output.Flush();
    }

    /// <summary>Reads the request line and headers; null at a clean end of the connection.</summary>
    private static (HttpRequest Request, bool KeepAlive)? ReadHead(Stream input)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        int total = 0;
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0)
            {
                if (lines.Count == 0 && line.Length == 0)
                    return null;
                throw new InvalidDataException("connection closed inside the request head");
            }
            if (++total > MaxHeaderBytes)
                throw new InvalidDataException("request head too large");
            if (b == '\n')
            {
                string text = line.ToString().TrimEnd('\r');
                line.Clear();
                if (text.Length == 0)
                {
                    if (lines.Count == 0)
                        continue;
                    break;
                }
                lines.Add(text);
                continue;
            }
            line.Append((char)b);
        }
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new InvalidDataException($"bad request line '{lines[0]}'");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string header in lines.Skip(1))
        {
            int colon = header.IndexOf(':');
            if (colon <= 0)
                throw new InvalidDataException($"bad header line '{header}'");
            string name = header[..colon].Trim();
            string value = header[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var previous) ? $"{previous}, {value}" : value;
        }
        string target = requestLine[1];
        int question = target.IndexOf('?');
        string path = Uri.UnescapeDataString(question < 0 ? target : target[..question]);
        var query = ParseQuery(question < 0 ? "" : target[(question + 1)..]);

        long? length = null;
        Stream body;
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = new ChunkedReadStream(input);
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
                throw new InvalidDataException($"bad Content-Length '{lengthText}'");
            length = parsed;
            body = new LengthLimitedStream(input, parsed);
        }
        else
        {
            body = Stream.Null;
        }
        bool keepAlive = requestLine[2] == "HTTP/1.1"
            ? !(headers.TryGetValue("Connection", out var c) && c.Equals("close", StringComparison.OrdinalIgnoreCase))
            : headers.TryGetValue("Connection", out var k) && k.Equals("keep-alive", StringComparison.OrdinalIgnoreCase);
        var request = new HttpRequest
        {
            Method = requestLine[0],
            Path = path,
            Query = query,
            Headers = headers,
            Body = body,
            ContentLength = length,
        };
        return (request, keepAlive);
    }

    public static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string name = Unescape(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
            result[name] = value;
        }
        return result;

        static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}
