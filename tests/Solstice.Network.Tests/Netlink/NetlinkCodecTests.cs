using System.Runtime.InteropServices;
using Solstice.Linux.Netlink;

namespace Solstice.Network.Tests.Netlink;

/// <summary>The netlink wire format, byte for byte (little-endian x86_64), without a kernel.</summary>
public sealed class NetlinkCodecTests
{
    [Fact]
    public void A_message_has_its_length_patched_and_attributes_padded_to_four_bytes()
    {
        var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(type: 16, flags: 0x5, sequence: 7);
        builder.Put(new IfInfoMsg { Flags = 1, Change = 1 });
        builder.PutString(3, "lo");
        builder.EndMessage();

        byte[] expected =
        [
            40, 0, 0, 0, 16, 0, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0,           // nlmsghdr: length 40, RTM_NEWLINK, REQUEST|ACK, seq 7
            0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,              // ifinfomsg: index 0, flags IFF_UP, change IFF_UP
            7, 0, 3, 0, (byte)'l', (byte)'o', 0, 0,                      // IFLA_IFNAME "lo\0", padded
        ];
        Assert.Equal(expected, builder.Written.ToArray());
    }

    [Fact]
    public void Nested_attributes_carry_the_nested_flag_and_their_total_length()
    {
        var builder = new NetlinkMessageBuilder();
        int outer = builder.BeginNested(18);
        builder.PutString(1, "veth");
        int inner = builder.BeginNested(2);
        builder.PutU32(4, 1500);
        builder.EndNested(inner);
        builder.EndNested(outer);

        byte[] expected =
        [
            28, 0, 18, 0x80,                                             // IFLA_LINKINFO | NLA_F_NESTED, 28 bytes
            9, 0, 1, 0, (byte)'v', (byte)'e', (byte)'t', (byte)'h', 0, 0, 0, 0,
            12, 0, 2, 0x80,                                              // IFLA_INFO_DATA | NLA_F_NESTED
            8, 0, 4, 0, 0xdc, 0x05, 0, 0,
        ];
        Assert.Equal(expected, builder.Written.ToArray());
        Assert.Equal("veth", NetlinkReader.String(NetlinkReader.Find(builder.Written.ToArray()[4..], 1)));
    }

    [Fact]
    public void An_error_ack_yields_errno_and_the_kernels_extended_message()
    {
        var error = new List<byte>();
        error.AddRange(BitConverter.GetBytes(-17));                      // -EEXIST
        error.AddRange(new byte[16]);                                    // the request's header (capped)
        error.AddRange([9, 0, 1, 0, .. "boom\0"u8.ToArray(), 0, 0, 0]);  // NLMSGERR_ATTR_MSG, padded
        var header = new NlMsgHdr { Type = 2, Flags = 0x100 | 0x200 };

        int errno = NetlinkSocket.ParseError(header, CollectionsMarshal.AsSpan(error), out string? message);

        Assert.Equal(17, errno);
        Assert.Equal("boom", message);
        Assert.Equal(0, NetlinkSocket.ParseError(new NlMsgHdr { Type = 2 }, new byte[20], out string? none));
        Assert.Null(none);
    }

    [Fact]
    public void The_reader_stops_at_a_truncated_message()
    {
        byte[] data = [40, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];
        int offset = 0;
        Assert.False(NetlinkReader.NextMessage(data, ref offset, out _, out _));
    }
}
