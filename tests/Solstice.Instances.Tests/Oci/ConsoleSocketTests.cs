using System.Net.Sockets;
using System.Text;
using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.Linux.Interop;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

public sealed class ConsoleSocketTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-console");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Receives_a_descriptor_passed_with_scm_rights()
    {
        string path = _dir.Combine("console.sock");
        using var console = ConsoleSocket.Listen(path);
        string file = _dir.Combine("shared.txt");
        File.WriteAllText(file, "");

        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            client.Connect(new UnixDomainSocketEndPoint(path));
            ScmRights.Send(client.SafeHandle, (int)stream.SafeFileHandle.DangerousGetHandle(), "/dev/ptmx"u8);
        }

        using var received = console.ReceiveMaster(TimeSpan.FromSeconds(5));
        using (var writer = new FileStream(received, FileAccess.ReadWrite))
            writer.Write("through the passed fd"u8);
        Assert.Equal("through the passed fd", File.ReadAllText(file, Encoding.UTF8));
    }

    [Fact]
    public void Times_out_when_nobody_connects()
    {
        using var console = ConsoleSocket.Listen(_dir.Combine("idle.sock"));
        var ex = Assert.Throws<SolsticeException>(() => console.ReceiveMaster(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
    }

    [Fact]
    public void A_peer_that_sends_no_descriptor_is_an_error()
    {
        string path = _dir.Combine("empty.sock");
        using var console = ConsoleSocket.Listen(path);
        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            client.Connect(new UnixDomainSocketEndPoint(path));
            client.Send("no fd here"u8);
        }
        Assert.Equal(ErrorCode.BackendFailed, Assert.Throws<SolsticeException>(() => console.ReceiveMaster(TimeSpan.FromSeconds(5))).Code);
    }

    [Fact]
    public void Dispose_removes_the_socket_file()
    {
        string path = _dir.Combine("gone.sock");
        ConsoleSocket.Listen(path).Dispose();
        Assert.False(File.Exists(path));
    }
}
