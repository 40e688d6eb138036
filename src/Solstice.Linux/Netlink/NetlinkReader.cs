using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Solstice.Linux.Netlink;

/// <summary>Walks the messages of a received datagram and the attributes of a message.</summary>
internal static class NetlinkReader
{
    /// <summary>The next message in data at offset (advancing offset); false at the end or on a malformed length.</summary>
    public static bool NextMessage(ReadOnlySpan<byte> data, ref int offset, out NlMsgHdr header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        int headerSize = Unsafe.SizeOf<NlMsgHdr>();
        if (data.Length - offset < headerSize)
            return false;
        header = MemoryMarshal.Read<NlMsgHdr>(data[offset..]);
        if (header.Length < headerSize || header.Length > data.Length - offset)
            return false;
        payload = data.Slice(offset + headerSize, (int)header.Length - headerSize);
        offset += NetlinkMessageBuilder.Align((int)header.Length);
        return true;
    }

    /// <summary>The next attribute in data at offset (advancing offset); the type has the nested flag masked off.</summary>
    public static bool NextAttribute(ReadOnlySpan<byte> data, ref int offset, out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        int headerSize = Unsafe.SizeOf<NlAttr>();
        if (data.Length - offset < headerSize)
            return false;
        var attr = MemoryMarshal.Read<NlAttr>(data[offset..]);
        if (attr.Length < headerSize || attr.Length > data.Length - offset)
            return false;
        type = (ushort)(attr.Type & 0x3fff);
        value = data.Slice(offset + headerSize, attr.Length - headerSize);
        offset += NetlinkMessageBuilder.Align(attr.Length);
        return true;
    }

    /// <summary>The value of the first attribute of that type, or empty.</summary>
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> attributes, ushort wanted)
    {
        int offset = 0;
        int start = offset;
        while (NextAttribute(attributes, ref offset, out ushort type, out var value))
        {
            if (type == wanted)
                return attributes.Slice(start + Unsafe.SizeOf<NlAttr>(), value.Length);
            start = offset;
        }
        return default;
    }

    public static string String(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }
}
