using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Core.Protocol;
using Solstice.Node;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Daemon;

/// <summary>
/// The node socket's limits, on an in-process NodeServer with a ping handler (needs no root):
/// request size, connection count, idle and slow clients, malformed requests, and what the CLI's
/// client says when the daemon refuses.
/// </summary>
public sealed class NodeServerLimitsTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new("solstice-nodesock");
    private readonly CancellationTokenSource _stop = new();
    private NodeServer? _server;
    private Task? _running;

    private string SocketPath => _dir.Combine("node.sock");

    private void Serve(NodeServerLimits limits)
    {
        var handlers = new Dictionary<string, RequestHandler>
        {
            ["ping"] = (_, _, _) => Task.FromResult<JsonNode?>(new JsonObject { ["pong"] = true }),
            ["echo"] = (a, _, _) => Task.FromResult<JsonNode?>(a.DeepClone()),
        };
        _server = new NodeServer(SocketPath, handlers, limits);
        _server.Start();
        _running = _server.RunAsync(_stop.Token);
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        socket.ReceiveTimeout = (int)s_wait.TotalMilliseconds;
        return socket;
    }

    /// <summary>Reads one reply line, or null at EOF (or when the daemon reset the connection).</summary>
    private static JsonObject? ReadReply(Socket socket)
    {
        var line = new List<byte>();
        var one = new byte[1];
        try
        {
            while (true)
            {
                int n = socket.Receive(one);
                if (n == 0)
                    return line.Count == 0 ? null : throw new IOException("EOF inside a reply");
                if (one[0] == '\n')
                    return (JsonObject)JsonNode.Parse(line.ToArray())!;
                line.Add(one[0]);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset && line.Count == 0)
        {
            return null;
        }
    }

    private static bool ClosedByServer(Socket socket)
    {
        try
        {
            return socket.Receive(new byte[1]) == 0;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private static string Message(JsonObject reply)
    {
        Assert.False(reply["ok"]!.GetValue<bool>(), reply.ToJsonString());
        return reply["error"]!["message"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_request_over_the_size_limit_is_answered_with_an_error_and_closed_without_being_read_in_full()
    {
        Serve(new NodeServerLimits { MaxRequestBytes = 64 << 10 });
        using var socket = Connect();
        // 8 MiB without a newline, written by a task: the server stops reading at the limit.
        var writer = Task.Run(() =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('x', 64 << 10));
            try
            {
                for (int i = 0; i < 128; i++)
                    socket.Send(chunk);
            }
            catch (SocketException)
            {
                // The server closed the connection: the point of the test.
            }
        });
        var reply = ReadReply(socket);
        Assert.NotNull(reply);
        Assert.Contains("request too large", Message(reply));
        await writer.WaitAsync(s_wait);
        Assert.True(ClosedByServer(socket));
    }

    [Fact]
    public void A_request_whose_op_is_not_a_string_gets_an_error_reply_and_the_connection_stays_usable()
    {
        Serve(new NodeServerLimits());
        using var socket = Connect();
        foreach (string bad in new[] { "{\"op\":42}", "{\"op\":{\"x\":1}}", "{\"op\":null}", "[1,2]", "\"ping\"", "{\"op\":\"ping\"} trailing" })
        {
            socket.Send(Encoding.UTF8.GetBytes(bad + "\n"));
            var reply = ReadReply(socket);
            Assert.NotNull(reply);
            Assert.Contains("malformed request", Message(reply));
        }
        socket.Send(Encoding.UTF8.GetBytes("{not json\n"));
        Assert.StartsWith("malformed request: not valid JSON at byte ", Message(ReadReply(socket)!));
        socket.Send(Encoding.UTF8.GetBytes("{\"op\":\"ping\"}\n"));
        var pong = ReadReply(socket);
        Assert.True(pong!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public void An_idle_connection_is_closed()
    {
        Serve(new NodeServerLimits { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        using var socket = Connect();
        socket.Send(Encoding.UTF8.GetBytes("{\"op\":\"ping\"}\n"));
        Assert.True(ReadReply(socket)!["ok"]!.GetValue<bool>());
        // Nothing more is sent: the server hangs up (the receive timeout only bounds a hang).
        Assert.True(ClosedByServer(socket));
        Assert.True(SpinWait.SpinUntil(() => _server!.Connections == 0, s_wait));
    }

    [Fact]
    public void A_client_that_sends_a_request_too_slowly_is_told_and_closed()
    {
        Serve(new NodeServerLimits { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        using var socket = Connect();
        socket.Send(Encoding.UTF8.GetBytes("{\"op\":\"pi"));
        var reply = ReadReply(socket);
        Assert.NotNull(reply);
        Assert.Contains("request timed out", Message(reply));
        Assert.True(ClosedByServer(socket));
    }

    [Fact]
    public void Connections_over_the_limit_are_refused_with_a_reason_and_served_again_once_others_close()
    {
        Serve(new NodeServerLimits { MaxConnections = 2 });
        var held = new List<Socket> { Connect(), Connect() };
        foreach (var socket in held)
        {
            socket.Send(Encoding.UTF8.GetBytes("{\"op\":\"ping\"}\n"));
            Assert.True(ReadReply(socket)!["ok"]!.GetValue<bool>());
        }
        using (var third = Connect())
        {
            var reply = ReadReply(third);
            Assert.NotNull(reply);
            Assert.Contains("limit of 2 connections", Message(reply));
            Assert.True(ClosedByServer(third));
        }
        var ex = Assert.Throws<SolsticeException>(() => NodeClient.CallOnce(NodeOps.Ping, null, SocketPath));
        Assert.Contains("limit of 2 connections", ex.Message);

        foreach (var socket in held)
            socket.Dispose();
        Assert.True(SpinWait.SpinUntil(() => _server!.Connections == 0, s_wait));
        Assert.True(NodeClient.CallOnce(NodeOps.Ping, null, SocketPath)!["pong"]!.GetValue<bool>());
    }

    [Fact]
    public void The_cli_client_says_request_too_large_when_the_daemon_refuses_mid_send()
    {
        Serve(new NodeServerLimits { MaxRequestBytes = 1024 });
        var args = new JsonObject { ["blob"] = new string('b', 8 << 20) };
        var ex = Assert.Throws<SolsticeException>(() => NodeClient.CallOnce("echo", args, SocketPath));
        Assert.Contains("request too large", ex.Message);
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        // A request under the limit on the same server still works.
        Assert.Equal("x", NodeClient.CallOnce("echo", new JsonObject { ["blob"] = "x" }, SocketPath)!["blob"]!.GetValue<string>());
    }

    [Fact]
    public void The_cli_client_refuses_a_request_over_the_protocol_limit_before_sending_it()
    {
        Serve(new NodeServerLimits());
        var args = new JsonObject { ["blob"] = new string('b', NodeProtocol.MaxRequestBytes) };
        var ex = Assert.Throws<SolsticeException>(() => NodeClient.CallOnce("echo", args, SocketPath));
        Assert.StartsWith("request too large:", ex.Message);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _running?.Wait(s_wait);
        _server?.Dispose();
        _stop.Dispose();
        _dir.Dispose();
    }
}
