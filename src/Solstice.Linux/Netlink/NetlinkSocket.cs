using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux.Netlink;

/// <summary>
/// An AF_NETLINK socket, with extended acks (the kernel's own error text) and capped acks (an error
/// does not echo the request). It belongs to the network namespace of the thread that opened it.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private int _fd;
    private uint _sequence;

    private NetlinkSocket(int fd) => _fd = fd;

    public static NetlinkSocket Open(int protocol)
    {
        int fd = Libc.Socket(Libc.AfNetlink, Libc.SockRaw | Libc.SockCloexec, protocol);
        if (fd < 0)
            throw SyscallException.Last("socket(AF_NETLINK)");
        var socket = new NetlinkSocket(fd);
        try
        {
            // struct sockaddr_nl: family, pad, port id 0 (the kernel assigns one), no groups.
            Span<byte> address = stackalloc byte[12];
            address.Clear();
            MemoryMarshal.Write(address, (ushort)Libc.AfNetlink);
            fixed (byte* a = address)
            {
                if (Libc.Bind(fd, a, (uint)address.Length) != 0)
                    throw SyscallException.Last("bind(AF_NETLINK)");
            }
            int on = 1;
            Libc.SetSockOpt(fd, Nl.SolNetlink, Nl.NetlinkExtAck, &on, sizeof(int));
            Libc.SetSockOpt(fd, Nl.SolNetlink, Nl.NetlinkCapAck, &on, sizeof(int));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public uint NextSequence() => ++_sequence;

    public void Send(ReadOnlySpan<byte> messages)
    {
        fixed (byte* data = messages)
        {
            nint sent;
            do
                sent = Libc.Send(_fd, data, (nuint)messages.Length, 0);
            while (sent < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);
            if (sent < 0)
                throw SyscallException.Last("send(netlink)");
            if (sent != messages.Length)
                throw new IOException($"send(netlink): {sent} of {messages.Length} bytes sent");
        }
    }

    /// <summary>Blocks for the next datagram; it may hold several messages.</summary>
    public ReadOnlySpan<byte> Receive()
    {
        fixed (byte* data = _receiveBuffer)
        {
            nint received;
            do
                received = Libc.Recv(_fd, data, (nuint)_receiveBuffer.Length, 0);
            while (received < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);
            if (received < 0)
                throw SyscallException.Last("recv(netlink)");
            return _receiveBuffer.AsSpan(0, (int)received);
        }
    }

    /// <summary>errno of an NLMSG_ERROR payload (0 for an ack) and the kernel's message, if it gave one.</summary>
    public static int ParseError(NlMsgHdr header, ReadOnlySpan<byte> payload, out string? kernelMessage)
    {
        kernelMessage = null;
        if (payload.Length < sizeof(int))
            return Errno.EIO;
        int error = -MemoryMarshal.Read<int>(payload);
        if ((header.Flags & Nl.AckTlvs) == 0 || payload.Length < sizeof(int) + sizeof(NlMsgHdr))
            return error;
        var request = MemoryMarshal.Read<NlMsgHdr>(payload[sizeof(int)..]);
        int tlvs = sizeof(int) + ((header.Flags & Nl.Capped) != 0 ? sizeof(NlMsgHdr) : NetlinkMessageBuilder.Align((int)request.Length));
        if (tlvs <= payload.Length)
        {
            var text = NetlinkReader.Find(payload[tlvs..], Nl.ErrAttrMsg);
            if (!text.IsEmpty)
                kernelMessage = NetlinkReader.String(text);
        }
        return error;
    }

    public void Dispose()
    {
        if (_fd >= 0)
            Libc.Close(_fd);
        _fd = -1;
    }
}
