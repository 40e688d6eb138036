using System.Buffers.Text;
using System.Text;

namespace Solstice.Metadata;

/// <summary>A V2 frame as a client reads it.</summary>
/// <param name="Word">The response code (SUCCESS, NOTFOUND, FAILURE) or, for a request, the operation.</param>
/// <param name="Payload">The base64-decoded payload; empty when the frame had none.</param>
public sealed record MetadataFrame(string RequestId, string Word, byte[] Payload);

public static partial class MetadataCodec
{
    /// <summary>
    /// Reads a V2 frame the way mdata-client does (proto.c): <c>V2 </c>, a non-zero decimal
    /// length, a non-zero hex CRC, a body whose length and CRC match, then id, code and a strictly
    /// valid base64 payload, separated by spaces. Anything else is not a frame (and is dropped).
    /// </summary>
    public static bool TryParseFrame(ReadOnlySpan<byte> line, out MetadataFrame? frame)
    {
        frame = null;
        if (!line.StartsWith("V2 "u8))
            return false;
        int i = 3;
        if (!TryParseNumber(line, ref i, 10, out ulong length) || length == 0)
            return false;
        i = SkipSpaces(line, i);
        if (!TryParseNumber(line, ref i, 16, out ulong crc) || crc == 0)
            return false;
        i = SkipSpaces(line, i);
        var body = line[i..];
        if ((ulong)body.Length != length || MetadataCrc32.Compute(body) != crc)
            return false;
        int idEnd = body.IndexOf((byte)' ');
        if (idEnd < 0)
            idEnd = body.Length;
        if (idEnd == 0)
            return false;
        int wordStart = SkipSpaces(body, idEnd);
        int wordEnd = body[wordStart..].IndexOf((byte)' ');
        wordEnd = wordEnd < 0 ? body.Length : wordStart + wordEnd;
        if (wordEnd == wordStart)
            return false;
        var base64 = body[SkipSpaces(body, wordEnd)..];
        var payload = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        if (Base64.DecodeFromUtf8(base64, payload, out _, out int written) != System.Buffers.OperationStatus.Done)
            return false;
        frame = new MetadataFrame(Encoding.ASCII.GetString(body[..idEnd]), Encoding.ASCII.GetString(body[wordStart..wordEnd]),
            payload.AsSpan(0, written).ToArray());
        return true;
    }

    private static int SkipSpaces(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] == ' ')
            i++;
        return i;
    }

    private static bool TryParseNumber(ReadOnlySpan<byte> s, ref int i, int radix, out ulong value)
    {
        value = 0;
        int start = i;
        while (i < s.Length)
        {
            int digit = s[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => s[i] - '0',
                >= (byte)'a' and <= (byte)'f' => s[i] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => s[i] - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
                break;
            value = value * (ulong)radix + (ulong)digit;
            if (value > uint.MaxValue)
                return false;
            i++;
        }
        return i > start;
    }
}
