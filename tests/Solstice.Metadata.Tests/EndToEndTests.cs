using System.Net.Sockets;
using System.Text;
using Solstice.Metadata.Tests.Support;
using Solstice.TestKit;

namespace Solstice.Metadata.Tests;

/// <summary>The real guest tool (mdata-get/put/delete/list) against a real server on a unix socket.</summary>
public class EndToEndTests : IClassFixture<EndToEndTests.ToolFixture>
{
    private readonly GuestTool _tool;

    public EndToEndTests(ToolFixture fixture) => _tool = fixture.Tool;

    public sealed class ToolFixture : IDisposable
    {
        public GuestTool Tool { get; } = new();

        public void Dispose() => Tool.Dispose();
    }

    [Fact]
    public async Task Get_put_delete_and_list_round_trip_with_mdata_client_exit_codes()
    {
        await using var host = new ServerHarness();
        string socket = host.SocketPath;

        Assert.Equal(new ToolResult(0, TestVm.Uuid + "\n", ""), await _tool.RunAsync(socket, "mdata-get", ["sdc:uuid"]));
        Assert.Equal(new ToolResult(0, "#!/bin/sh\necho hi\n", ""), await _tool.RunAsync(socket, "mdata-get", ["user-script"]));
        Assert.Equal(new ToolResult(1, "", "No metadata for 'nope'\n"), await _tool.RunAsync(socket, "mdata-get", ["nope"]));
        Assert.Equal(new ToolResult(2, "", "Error getting metadata for key 'sdc:tags': \n"), await _tool.RunAsync(socket, "mdata-get", ["sdc:tags"]));

        Assert.Equal(new ToolResult(0, "", ""), await _tool.RunAsync(socket, "mdata-put", ["greeting", "hello world"]));
        Assert.Equal(new ToolResult(0, "hello world\n", ""), await _tool.RunAsync(socket, "mdata-get", ["greeting"]));
        Assert.Equal(new ToolResult(0, "", ""), await _tool.RunAsync(socket, "mdata-put", ["script"], stdin: "#!/bin/sh\n.leading dot\nno newline"));
        Assert.Equal(new ToolResult(0, "#!/bin/sh\n.leading dot\nno newline\n", ""), await _tool.RunAsync(socket, "mdata-get", ["script"]));
        Assert.Equal("#!/bin/sh\n.leading dot\nno newline", host.Vm.Vm["customer_metadata"]!["script"]!.GetValue<string>());

        Assert.Equal(new ToolResult(0, "user-script\nroot_authorized_keys\ngreeting\nscript\nroot_pw\ndocker:cmd\n", ""), await _tool.RunAsync(socket, "mdata-list", []));

        Assert.Equal(new ToolResult(0, "", ""), await _tool.RunAsync(socket, "mdata-delete", ["greeting"]));
        Assert.Equal(1, (await _tool.RunAsync(socket, "mdata-get", ["greeting"])).ExitCode);
        Assert.Equal(new ToolResult(0, "", ""), await _tool.RunAsync(socket, "mdata-delete", ["greeting"]));
    }

    [Fact]
    public async Task Refusals_and_usage_errors_exit_like_mdata_client()
    {
        await using var host = new ServerHarness();
        string socket = host.SocketPath;
        Assert.Equal(new ToolResult(2, "", "Error putting metadata for key 'sdc:uuid': Cannot update the \"sdc\" Namespace.\n"),
            await _tool.RunAsync(socket, "mdata-put", ["sdc:uuid", "x"]));
        Assert.Equal(new ToolResult(2, "", "Error deleting metadata key 'docker:cmd': Cannot update the \"docker\" Namespace.\n"),
            await _tool.RunAsync(socket, "mdata-delete", ["docker:cmd"]));
        Assert.Equal(new ToolResult(2, "", "Error putting metadata for key 'k': Invalid PUT Request\n"), await _tool.RunAsync(socket, "mdata-put", ["k", ""]));
        Assert.Equal(new ToolResult(3, "", "mdata-get: Usage: mdata-get <keyname>\n"), await _tool.RunAsync(socket, "mdata-get", []));
        Assert.Equal(new ToolResult(3, "", "mdata-put: Usage: mdata-put <keyname> [ <value> ]\n"), await _tool.RunAsync(socket, "mdata-put", []));
        Assert.Equal(new ToolResult(3, "", "mdata-delete: Usage: mdata-delete <keyname>\n"), await _tool.RunAsync(socket, "mdata-delete", []));
        Assert.Equal(new ToolResult(2, "", "Error putting metadata for key 'big': Value too large (limit 1048576 bytes)\n"),
            await _tool.RunAsync(socket, "mdata-put", ["big"], stdin: new string('x', (1 << 20) + 1)));
        Assert.Empty(host.Vm.Updates);
    }

    [Fact]
    public async Task An_empty_list_prints_nothing_and_an_empty_value_prints_a_newline()
    {
        await using var host = new ServerHarness(vm: new TestVm(new() { ["customer_metadata"] = new System.Text.Json.Nodes.JsonObject { ["e"] = "" } }));
        Assert.Equal(new ToolResult(0, "\n", ""), await _tool.RunAsync(host.SocketPath, "mdata-get", ["e"]));
        await using var empty = new ServerHarness(vm: new TestVm(new()));
        Assert.Equal(new ToolResult(0, "", ""), await _tool.RunAsync(empty.SocketPath, "mdata-list", []));
    }

    [Fact]
    public async Task The_multi_call_form_works_too()
    {
        await using var host = new ServerHarness();
        var result = await GuestTool.RunProcessAsync(_tool.Apphost, ["get", "sdc:alias"], host.SocketPath, null, 30_000);
        Assert.Equal(new ToolResult(0, "web01\n", ""), result);
        result = await GuestTool.RunProcessAsync("dotnet", [Path.Combine(_tool.BuildDirectory, "mdata.dll"), "mdata-get", "sdc:hostname"], host.SocketPath, null, 30_000);
        Assert.Equal(new ToolResult(0, "web01\n", ""), result);
    }

    [Fact]
    public async Task The_published_native_binary_dispatches_on_its_link_names()
    {
        string bin = GuestTool.PublishedDirectory;
        if (!File.Exists(Path.Combine(bin, "mdata-get")))
            return; // scripts/build.sh has not published it (a plain dotnet test)
        await using var host = new ServerHarness();
        string socket = host.SocketPath;
        Assert.Equal(new ToolResult(0, "", ""), await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-put"), ["native", "yes"], socket, null, 30_000));
        Assert.Equal(new ToolResult(0, "yes\n", ""), await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-get"), ["native"], socket, null, 30_000));
        Assert.Equal(new ToolResult(1, "", "No metadata for 'nope'\n"), await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-get"), ["nope"], socket, null, 30_000));
        Assert.Contains("native\n", (await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-list"), [], socket, null, 30_000)).Out);
        Assert.Equal(new ToolResult(0, "", ""), await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-delete"), ["native"], socket, null, 30_000));
        Assert.Equal(new ToolResult(3, "", "mdata-get: Usage: mdata-get <keyname>\n"), await GuestTool.RunProcessAsync(Path.Combine(bin, "mdata-get"), [], socket, null, 30_000));
    }

    [Fact]
    public async Task The_tool_waits_for_a_socket_that_appears_later()
    {
        using var dir = new TempDirectory("mdata-late");
        string socket = dir.Combine("metadata.sock");
        var run = _tool.RunAsync(socket, "mdata-get", ["sdc:alias"]);
        await Task.Delay(1500);
        Assert.False(run.IsCompleted);
        await using var server = new MetadataServer(socket, new TestVm().Store);
        server.Start();
        Assert.Equal(new ToolResult(0, "web01\n", ""), await run);
    }

    [Fact]
    public async Task A_v1_only_host_serves_get_and_list_but_not_put()
    {
        using var dir = new TempDirectory("mdata-v1");
        string socket = dir.Combine("metadata.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socket));
        listener.Listen(8);
        using var stop = new CancellationTokenSource();
        var host = Task.Run(() => ServeV1Async(listener, stop.Token));
        try
        {
            Assert.Equal(new ToolResult(0, ".dotted\nvalue\n", ""), await _tool.RunAsync(socket, "mdata-get", ["k"]));
            Assert.Equal(new ToolResult(1, "", "No metadata for 'missing'\n"), await _tool.RunAsync(socket, "mdata-get", ["missing"]));
            Assert.Equal(new ToolResult(0, "a\nb\n", ""), await _tool.RunAsync(socket, "mdata-list", []));
            Assert.Equal(new ToolResult(2, "", "ERROR: host does not support PUT\n"), await _tool.RunAsync(socket, "mdata-put", ["k", "v"]));
            Assert.Equal(new ToolResult(2, "", "ERROR: host does not support DELETE\n"), await _tool.RunAsync(socket, "mdata-delete", ["k"]));
        }
        finally
        {
            await stop.CancelAsync();
            listener.Close();
            await host;
        }
    }

    /// <summary>A SmartOS host from before V2: no NEGOTIATE, dot-terminated answers.</summary>
    private static async Task ServeV1Async(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                string answer = line switch
                {
                    "" => "invalid command\n",
                    "GET k" => "SUCCESS\n..dotted\nvalue\n.\n",
                    "KEYS" => "SUCCESS\na\nb\n.\n",
                    _ when line.StartsWith("GET ", StringComparison.Ordinal) => "NOTFOUND\n",
                    _ => "FAILURE\n",
                };
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), ct);
            }
        }
    }

    [Fact]
    public async Task An_independent_python_client_written_from_the_spec_agrees()
    {
        if (!File.Exists("/usr/bin/python3") && Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(p => File.Exists(Path.Combine(p, "python3"))) != true)
            return;
        await using var host = new ServerHarness();
        using var dir = new TempDirectory("mdata-py");
        string script = dir.Combine("client.py");
        await File.WriteAllTextAsync(script, PythonClient);
        var result = await GuestTool.RunProcessAsync("python3", [script, host.SocketPath], host.SocketPath, null, 30_000);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "SUCCESS web01\nNOTFOUND \nSUCCESS user-script|root_authorized_keys|root_pw|docker:cmd\nSUCCESS OK\nSUCCESS caf\u00e9\nFAILURE Cannot update the \"sdc\" Namespace.\nV1 SUCCESS|web01|.\n",
            result.Out);
    }

    /// <summary>
    /// A client written from the protocol description alone (smartos-interfaces.md §4.2), sharing
    /// no code with the server: zlib CRC-32, Python base64.
    /// </summary>
    private const string PythonClient = """
        import base64, binascii, random, socket, sys

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(sys.argv[1])
        f = sock.makefile("rwb")

        def send(text):
            f.write(text.encode("utf-8"))
            f.flush()

        def line():
            data = f.readline()
            assert data.endswith(b"\n"), data
            return data[:-1].decode("ascii")

        def crc(data):
            return "%08x" % (binascii.crc32(data) & 0xffffffff)

        def request(op, arg=None):
            reqid = "%08x" % random.getrandbits(32)
            body = reqid + " " + op
            if arg is not None:
                body += " " + base64.b64encode(arg).decode("ascii")
            send("V2 %d %s %s\n" % (len(body), crc(body.encode("ascii")), body))
            reply = line()
            v2, length, checksum, rest = reply.split(" ", 3)
            assert v2 == "V2" and int(length) == len(rest) and checksum == crc(rest.encode("ascii")), reply
            words = rest.split(" ")
            assert words[0] == reqid, reply
            payload = base64.b64decode(words[2]).decode("utf-8") if len(words) > 2 else ""
            print(words[1], payload.replace("\n", "|"))

        send("\n")
        assert line() == "invalid command"
        send("NEGOTIATE V2\n")
        assert line() == "V2_OK"
        request("GET", b"sdc:alias")
        request("GET", b"no-such-key")
        request("KEYS")
        request("PUT", base64.b64encode("k\u00e9y".encode()) + b" " + base64.b64encode("caf\u00e9".encode()))
        request("GET", "k\u00e9y".encode())
        request("PUT", base64.b64encode(b"sdc:alias") + b" " + base64.b64encode(b"x"))
        send("GET sdc:alias\n")
        print("V1", "|".join([line(), line(), line()]))
        """;
}
