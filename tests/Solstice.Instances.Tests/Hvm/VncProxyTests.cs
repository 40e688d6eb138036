using System.Net;
using System.Net.Sockets;
using System.Text;
using Solstice.Instances.Hvm;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Hvm;

public class VncProxyTests
{
    [Fact]
    public async Task Port_zero_gets_a_port_and_bytes_flow_both_ways()
    {
        using var dir = new TempDirectory("vnc");
        string path = dir.Combine("vnc.sock");
        using var qemu = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        qemu.Bind(new UnixDomainSocketEndPoint(path));
        qemu.Listen(1);
        await using var proxy = new VncProxy(IPAddress.Loopback, 0, path);
        Assert.NotEqual(0, proxy.Port);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        using var upstream = await qemu.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await upstream.SendAsync("RFB 003.008\n"u8.ToArray());
        var buffer = new byte[12];
        var stream = client.GetStream();
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(buffer));
        await stream.WriteAsync("RFB 003.008\n"u8.ToArray());
        var back = new byte[12];
        int got = 0;
        while (got < back.Length)
            got += await upstream.ReceiveAsync(back.AsMemory(got), SocketFlags.None);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(back));
    }

    [Fact]
    public async Task Without_QEMU_the_client_is_just_disconnected()
    {
        using var dir = new TempDirectory("vnc");
        await using var proxy = new VncProxy(IPAddress.Loopback, 0, dir.Combine("absent.sock"));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var buffer = new byte[1];
        Assert.Equal(0, await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
