namespace Solstice.Metadata;

/// <summary>
/// A request line longer than the limit, consumed without being kept. If it is a V2 frame, its
/// length and CRC are checked on the fly, with the agent's trimming of trailing whitespace, so
/// a PUT that is too large gets a FAILURE frame with its request id (mdata-put then exits 2)
/// instead of silence, which would make mdata-client time out and retry forever.
/// </summary>
internal sealed class OversizedLine
{
    private readonly bool _v2;
    private readonly string? _requestId;
    private readonly long _declaredLength;
    private readonly byte[] _declaredCrc = new byte[8];
    private bool _broken;
    private uint _crc;
    private long _length;
    private bool _inRun;
    private uint _crcBeforeRun;
    private long _lengthBeforeRun;
    private bool _sawCr;

    /// <summary>Starts from the first part of the line, which must hold the whole frame header.</summary>
    public OversizedLine(ReadOnlySpan<byte> head)
    {
        _v2 = head.Length > 2 && head.StartsWith("V2"u8) && JsText.IsAsciiWhiteSpace(head[2]);
        if (!_v2)
            return;
        int i = Skip(head, 3, ws: true);
        int digits = i;
        while (i < head.Length && char.IsAsciiDigit((char)head[i]) && i - digits < 10)
            _declaredLength = _declaredLength * 10 + (head[i++] - '0');
        int crcStart = Skip(head, i, ws: true);
        int crcEnd = SkipLowerHex(head, crcStart);
        int idStart = Skip(head, crcEnd, ws: true);
        int idEnd = SkipLowerHex(head, idStart);
        int rest = Skip(head, idEnd, ws: true);
        if (i == digits || crcStart == i || crcEnd - crcStart != 8 || idStart == crcEnd || idEnd == idStart || rest == idEnd || rest == head.Length)
        {
            _broken = true;
            return;
        }
        head[crcStart..crcEnd].CopyTo(_declaredCrc);
        _requestId = System.Text.Encoding.ASCII.GetString(head[idStart..idEnd]);
        _crc = MetadataCrc32.Update(MetadataCrc32.Update(MetadataCrc32.Initial, head[idStart..idEnd]), (byte)' ');
        _length = idEnd - idStart + 1;
        Feed(head[rest..]);
    }

    /// <summary>True when the line began as a V2 frame (whatever its validity).</summary>
    public bool IsV2 => _v2;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (!_v2 || _broken)
            return;
        foreach (byte b in data)
        {
            if (b >= 0x80 || (_sawCr && !JsText.IsAsciiWhiteSpace(b)))
            {
                // Non-ASCII can't be in a frame; text after a CR would cut the body there (".*" stops at CR).
                _broken = true;
                return;
            }
            if (JsText.IsAsciiWhiteSpace(b))
            {
                if (!_inRun)
                {
                    _inRun = true;
                    _crcBeforeRun = _crc;
                    _lengthBeforeRun = _length;
                }
                if (b == '\r')
                    _sawCr = true;
                if (_sawCr)
                    continue;
            }
            else
                _inRun = false;
            _crc = MetadataCrc32.Update(_crc, b);
            _length++;
        }
    }

    /// <summary>At the end of the line: the request id when the frame checks out, else null (drop it).</summary>
    public string? CheckedRequestId()
    {
        if (!_v2 || _broken)
            return null;
        uint crc = _inRun ? _crcBeforeRun : _crc;
        long length = _inRun ? _lengthBeforeRun : _length;
        Span<byte> hex = stackalloc byte[8];
        uint value = MetadataCrc32.Finish(crc);
        for (int i = 7; i >= 0; i--, value >>= 4)
            hex[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
        return length == _declaredLength && hex.SequenceEqual(_declaredCrc) ? _requestId : null;
    }

    private static int Skip(ReadOnlySpan<byte> s, int i, bool ws)
    {
        while (i < s.Length && JsText.IsAsciiWhiteSpace(s[i]) == ws)
            i++;
        return i;
    }

    private static int SkipLowerHex(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && (char.IsAsciiDigit((char)s[i]) || s[i] is >= (byte)'a' and <= (byte)'f'))
            i++;
        return i;
    }
}
