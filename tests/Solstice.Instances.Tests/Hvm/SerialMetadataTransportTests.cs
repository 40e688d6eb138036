using System.Net.Sockets;
using System.Text;
using Solstice.Instances.Hvm;
using Solstice.Metadata;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Hvm;

public class SerialMetadataTransportTests
{
    private sealed class OneKeyStore : IMetadataStore
    {
        public MetadataResult Get(string key) => key == "hello" ? MetadataResult.Found("world") : MetadataResult.NotFound;
        public IReadOnlyList<string> Keys() => ["hello"];
        public ValueTask<MetadataResult> PutAsync(string key, string value, CancellationToken ct) => ValueTask.FromResult(MetadataResult.Failed("read-only"));
        public ValueTask<MetadataResult> DeleteAsync(string key, CancellationToken ct) => ValueTask.FromResult(MetadataResult.Failed("read-only"));
    }

    /// <summary>Plays QEMU: listens where the serial chardev would and accepts the daemon's connection.</summary>
    private static Socket Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        return listener;
    }

    private static async Task<string> AskAsync(Socket line, string request)
    {
        await line.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[256];
        var answer = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!answer.ToString().EndsWith('\n'))
            answer.Append(Encoding.ASCII.GetString(buffer, 0, await line.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)));
        return answer.ToString();
    }

    [Fact]
    public async Task The_daemon_connects_when_QEMU_listens_and_reconnects_after_the_line_drops()
    {
        using var dir = new TempDirectory("serial");
        string path = dir.Combine("metadata.sock");
        await using var server = new MetadataServer(new SerialMetadataTransport(path) { RetryDelay = TimeSpan.FromMilliseconds(50) }, new OneKeyStore());
        server.Start();
        await Task.Delay(200); // nobody listens yet: the transport keeps retrying

        using (var qemu = Listen(path))
        {
            using var line = await qemu.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("NOTFOUND\n", await AskAsync(line, "GET nope\n"));
            Assert.Equal("SUCCESS\n", (await AskAsync(line, "GET hello\n"))[..8]);
            line.Shutdown(SocketShutdown.Both);

            // QEMU is still listening (a daemon restart looks the same from here): the transport comes back.
            using var again = await qemu.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("NOTFOUND\n", await AskAsync(again, "GET nope\n"));
        }
    }

    [Fact]
    public async Task Disposing_the_server_ends_a_pending_accept()
    {
        using var dir = new TempDirectory("serial");
        var server = new MetadataServer(new SerialMetadataTransport(dir.Combine("absent.sock")), new OneKeyStore());
        server.Start();
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
