using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Solstice.Linux.Netlink;

/// <summary>
/// Writes netlink messages back to back into one buffer (so a batch goes out in one send): a header,
/// a fixed family header, then 4-byte aligned attributes, some nested.
/// </summary>
internal sealed class NetlinkMessageBuilder
{
    private byte[] _buffer = new byte[1024];
    private int _length;
    private int _messageStart = -1;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public bool IsEmpty => _length == 0;

    public void Clear()
    {
        _length = 0;
        _messageStart = -1;
    }

    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        _messageStart = _length;
        Put(new NlMsgHdr { Type = type, Flags = flags, Sequence = sequence });
    }

    public void EndMessage()
    {
        SetLength(_messageStart, _length - _messageStart);
        _messageStart = -1;
    }

    /// <summary>A fixed header (ifinfomsg, ifaddrmsg, rtmsg), padded to 4 bytes.</summary>
    public void Put<T>(T value) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        var target = Reserve(Align(size));
        MemoryMarshal.Write(target, in value);
    }

    public void PutAttribute(ushort type, ReadOnlySpan<byte> data)
    {
        int length = Unsafe.SizeOf<NlAttr>() + data.Length;
        var target = Reserve(Align(length));
        MemoryMarshal.Write(target, new NlAttr { Length = (ushort)length, Type = type });
        data.CopyTo(target[Unsafe.SizeOf<NlAttr>()..]);
    }

    public void PutU8(ushort type, byte value) => PutAttribute(type, [value]);

    public void PutU32(ushort type, uint value) => PutAttribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in value)));

    /// <summary>A NUL-terminated string attribute (interface names, link kinds).</summary>
    public void PutString(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        PutAttribute(type, bytes);
    }

    /// <summary>Starts a nested attribute; returns its offset for EndNested.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        PutAttribute((ushort)(type | Nl.AttrNested), []);
        return start;
    }

    public void EndNested(int start) =>
        MemoryMarshal.Write(_buffer.AsSpan(start), new NlAttr { Length = (ushort)(_length - start), Type = MemoryMarshal.Read<NlAttr>(_buffer.AsSpan(start)).Type });

    private void SetLength(int start, int length)
    {
        var header = MemoryMarshal.Read<NlMsgHdr>(_buffer.AsSpan(start));
        header.Length = (uint)length;
        MemoryMarshal.Write(_buffer.AsSpan(start), in header);
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        var span = _buffer.AsSpan(_length, size);
        span.Clear();
        _length += size;
        return span;
    }

    internal static int Align(int length) => (length + 3) & ~3;
}
