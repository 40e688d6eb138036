using System.Net.Sockets;
using Solstice.Core;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>A daemon that dies between a request and its answer: the CLI says so in a sentence and exits 1 (issue #12 §4).</summary>
public sealed class DaemonDiesTests
{
    [Theory]
    [InlineData(false)] // the connection is closed (a crashed daemon's socket is closed by the kernel)
    [InlineData(true)] // the connection is reset (closed with the request unread)
    public async Task A_daemon_that_dies_before_answering_gives_a_clear_message(bool reset)
    {
        using var dir = new TempDirectory("solstice-dies");
        string path = dir.Combine("node.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var daemon = Task.Run(() =>
        {
            using var connection = listener.Accept();
            if (!reset)
            {
                var buffer = new byte[65536];
                int total = 0;
                while (total == 0 || buffer[total - 1] != '\n')
                    total += connection.Receive(buffer.AsSpan(total));
            }
            // Half a reply, then gone.
            connection.Send("{\"ok\":tr"u8.ToArray());
            connection.Close();
        });
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => Stream.Null, () => Stream.Null, null, path);
        int code = Program.Run("vmadm", ["start", "5b6f0b2e-0c6b-4f43-9d70-00000000abcd"], context);
        await daemon;
        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal(Solstice.Cli.Node.NodeClient.ClosedMessage + "\n", error.ToString().Replace("\r", ""));
        Assert.Contains("solsticed exited before answering", error.ToString());
    }
}
