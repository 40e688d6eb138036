using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Protocol;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// vmadm create and update make one request, and print the warnings its reply carries (the
/// properties the daemon dropped, as VM.js logs them) whether it succeeded or failed: no separate
/// vm.validate call first.
/// </summary>
public sealed class VmadmWarningsTests
{
    private const string Uuid = "5b6f0b2e-0c6b-4f43-9d70-00000000abcd";
    private const string Dropped = "Warning, invalid create property: [bogus] removing from payload (unknown property).";

    /// <summary>Runs vmadm against a daemon that answers every request with <paramref name="reply"/>; the ops it was asked for.</summary>
    private static (int Code, string Error, List<string> Ops) Run(JsonObject reply, string stdin, params string[] args)
    {
        using var dir = new TempDirectory("solstice-warn");
        string path = dir.Combine("node.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        var ops = new List<string>();
        var daemon = Task.Run(async () =>
        {
            while (true)
            {
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
                using var stream = new NetworkStream(connection, ownsSocket: true);
                using var reader = new StreamReader(stream);
                if (await reader.ReadLineAsync() is not { } line)
                    continue;
                lock (ops)
                    ops.Add(JsonNode.Parse(line)!["op"]!.GetValue<string>());
                await stream.WriteAsync(Encoding.UTF8.GetBytes(NodeProtocol.Serialize(reply) + "\n"));
            }
        });
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin)), () => Stream.Null,
            ConfigPath: dir.Combine("node.json"), SocketPath: path);
        int code = Program.Run("vmadm", args, context);
        listener.Close();
        daemon.Wait();
        return (code, error.ToString().Replace("\r", ""), ops);
    }

    private static JsonObject WithWarnings(JsonObject reply)
    {
        NodeProtocol.AddWarnings(reply, [Dropped]);
        return reply;
    }

    [Fact]
    public void Create_prints_the_replys_warnings_before_its_message_in_one_request()
    {
        var (code, error, ops) = Run(WithWarnings(NodeProtocol.Success(new JsonObject { ["uuid"] = Uuid })), """{"bogus": 1}""", "create");
        Assert.Equal(0, code);
        Assert.Equal($"{Dropped}\nSuccessfully created VM {Uuid}\n", error);
        Assert.Equal(["vm.create"], ops);
    }

    [Fact]
    public void Update_prints_the_replys_warnings_in_one_request()
    {
        var (code, error, ops) = Run(WithWarnings(NodeProtocol.Success(new JsonObject { ["uuid"] = Uuid })), "", "update", Uuid, "bogus=1");
        Assert.Equal(0, code);
        Assert.Equal($"{Dropped}\nSuccessfully updated VM {Uuid}\n", error);
        Assert.Equal(["vm.update"], ops);
    }

    [Fact]
    public void A_failed_create_still_prints_its_warnings_then_the_error()
    {
        var (code, error, ops) = Run(WithWarnings(NodeProtocol.Failure(ErrorCode.InvalidArgument, "image_uuid: image x is not installed")),
            """{"bogus": 1}""", "create");
        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal($"{Dropped}\nimage_uuid: image x is not installed\n", error);
        Assert.Equal(["vm.create"], ops);
    }

    [Fact]
    public void A_reply_without_warnings_prints_none()
    {
        var (code, error, _) = Run(NodeProtocol.Success(new JsonObject { ["uuid"] = Uuid }), "{}", "create");
        Assert.Equal(0, code);
        Assert.Equal($"Successfully created VM {Uuid}\n", error);
    }
}
