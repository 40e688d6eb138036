using System.Text;

namespace Solstice.Metadata;

/// <summary>
/// The metadata line protocol (smartos-interfaces.md §4.2), host side: one LF-terminated line in,
/// one <see cref="MetadataRequest"/> out; never throws on malformed input. Parsing follows the
/// SmartOS agent (smartos-live src/vm/lib/metadata/agent.js), whose JavaScript regular expressions
/// define what is accepted: trailing whitespace is trimmed, the command is the first word, and a
/// V2 frame is <c>V2 &lt;len&gt; &lt;crc32&gt; &lt;reqid&gt; &lt;op&gt;[ &lt;base64&gt;]</c>
/// whose length and CRC cover <c>&lt;reqid&gt; &lt;op&gt;[ &lt;base64&gt;]</c>.
/// </summary>
public static partial class MetadataCodec
{
    /// <summary>Parses one request line, without its terminating LF.</summary>
    public static MetadataRequest ParseRequest(ReadOnlySpan<byte> line) =>
        Ascii.IsValid(line) ? ParseAscii(line) : ParseText(Encoding.UTF8.GetString(line));

    private static MetadataRequest ParseAscii(ReadOnlySpan<byte> line)
    {
        int end = line.Length;
        while (end > 0 && JsText.IsAsciiWhiteSpace(line[end - 1]))
            end--;
        line = line[..end];
        // /^([^\s]+)\s?(.*)/: a line that is blank or starts with whitespace has no command.
        if (line.IsEmpty || JsText.IsAsciiWhiteSpace(line[0]))
            return MetadataRequest.InvalidCommand;
        int cmdEnd = 0;
        while (cmdEnd < line.Length && !JsText.IsAsciiWhiteSpace(line[cmdEnd]))
            cmdEnd++;
        var command = line[..cmdEnd];
        var want = cmdEnd < line.Length ? line[(cmdEnd + 1)..] : [];
        int cr = want.IndexOf((byte)'\r');
        if (cr >= 0)
            want = want[..cr];
        if (command.SequenceEqual("V2"u8))
            return ParseV2(want);
        if (want.IsEmpty && (command.SequenceEqual("GET"u8) || command.SequenceEqual("NEGOTIATE"u8)))
            return MetadataRequest.InvalidCommand;
        return new MetadataRequest(MetadataRequestKind.V1, KnownCommand(command) ?? Encoding.ASCII.GetString(command), Encoding.ASCII.GetString(want), null);
    }

    /// <summary>The same rules over decoded text, for lines with non-ASCII bytes (only V1 can carry them).</summary>
    private static MetadataRequest ParseText(string text)
    {
        var line = JsText.TrimEnd(text.AsSpan());
        if (line.IsEmpty || JsText.IsWhiteSpace(line[0]))
            return MetadataRequest.InvalidCommand;
        int cmdEnd = 0;
        while (cmdEnd < line.Length && !JsText.IsWhiteSpace(line[cmdEnd]))
            cmdEnd++;
        var command = line[..cmdEnd];
        var want = cmdEnd < line.Length ? line[(cmdEnd + 1)..] : [];
        for (int i = 0; i < want.Length; i++)
        {
            if (JsText.IsLineTerminator(want[i]))
            {
                want = want[..i];
                break;
            }
        }
        // A real V2 frame is ASCII (hex, digits, base64); one that isn't cannot check out.
        if (command.SequenceEqual("V2"))
            return MetadataRequest.Drop;
        if (want.IsEmpty && (command.SequenceEqual("GET") || command.SequenceEqual("NEGOTIATE")))
            return MetadataRequest.InvalidCommand;
        return new MetadataRequest(MetadataRequestKind.V1, command.ToString(), want.ToString(), null);
    }

    /// <summary>
    /// <c>\s*([0-9]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(.*)</c>, then length and CRC over
    /// <c>reqid + ' ' + rest</c>, then <c>\s*(\S+)\s*(.*)</c> over the rest for op and payload.
    /// The agent's pattern is unanchored and would skip leading junk; we require the frame to
    /// start at the length, which no client violates.
    /// </summary>
    private static MetadataRequest ParseV2(ReadOnlySpan<byte> want)
    {
        int i = SkipWhiteSpace(want, 0);
        int lengthStart = i;
        long length = 0;
        while (i < want.Length && char.IsAsciiDigit((char)want[i]))
        {
            length = length * 10 + (want[i] - '0');
            if (length > int.MaxValue)
                return MetadataRequest.Drop;
            i++;
        }
        if (i == lengthStart || !TryTakeSeparator(want, ref i))
            return MetadataRequest.Drop;
        int crcStart = i;
        i = SkipLowerHex(want, i);
        var crc = want[crcStart..i];
        if (crc.IsEmpty || !TryTakeSeparator(want, ref i))
            return MetadataRequest.Drop;
        int idStart = i;
        i = SkipLowerHex(want, i);
        var requestId = want[idStart..i];
        if (requestId.IsEmpty || !TryTakeSeparator(want, ref i))
            return MetadataRequest.Drop;
        var rest = want[i..];
        if (length == 0 || length != requestId.Length + 1 + rest.Length || !CrcMatches(crc, requestId, rest))
            return MetadataRequest.Drop;
        if (rest.IsEmpty)
            return MetadataRequest.Drop;
        int opEnd = 0;
        while (opEnd < rest.Length && !JsText.IsAsciiWhiteSpace(rest[opEnd]))
            opEnd++;
        var op = rest[..opEnd];
        var payload = rest[SkipWhiteSpace(rest, opEnd)..];
        return new MetadataRequest(MetadataRequestKind.V2, KnownCommand(op) ?? Encoding.ASCII.GetString(op),
            DecodeBase64Lenient(payload), Encoding.ASCII.GetString(requestId));
    }

    private static bool TryTakeSeparator(ReadOnlySpan<byte> s, ref int i)
    {
        int start = i;
        i = SkipWhiteSpace(s, i);
        return i > start;
    }

    private static int SkipWhiteSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && JsText.IsAsciiWhiteSpace(s[i]))
            i++;
        return i;
    }

    private static int SkipLowerHex(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && (char.IsAsciiDigit((char)s[i]) || s[i] is >= (byte)'a' and <= (byte)'f'))
            i++;
        return i;
    }

    /// <summary>The agent compares strings, so the CRC must be exactly 8 lower-case, zero-padded digits.</summary>
    private static bool CrcMatches(ReadOnlySpan<byte> crc, ReadOnlySpan<byte> requestId, ReadOnlySpan<byte> rest)
    {
        if (crc.Length != 8)
            return false;
        uint register = MetadataCrc32.Update(MetadataCrc32.Initial, requestId);
        register = MetadataCrc32.Update(register, (byte)' ');
        register = MetadataCrc32.Update(register, rest);
        Span<byte> expected = stackalloc byte[8];
        WriteHex8(expected, MetadataCrc32.Finish(register));
        return crc.SequenceEqual(expected);
    }

    /// <summary>Interned names for the commands, so the hot path doesn't allocate them.</summary>
    private static string? KnownCommand(ReadOnlySpan<byte> command) => command switch
    {
        _ when command.SequenceEqual("GET"u8) => "GET",
        _ when command.SequenceEqual("KEYS"u8) => "KEYS",
        _ when command.SequenceEqual("PUT"u8) => "PUT",
        _ when command.SequenceEqual("DELETE"u8) => "DELETE",
        _ when command.SequenceEqual("NEGOTIATE"u8) => "NEGOTIATE",
        _ => null,
    };

    /// <summary>
    /// Base64 as node's <c>Buffer(s, 'base64')</c> reads it: standard and URL-safe alphabets,
    /// characters outside them skipped, decoding stops at the first '=', a dangling sextet
    /// ignored; then UTF-8 with replacement characters (<c>toString()</c>).
    /// </summary>
    public static string DecodeBase64Lenient(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
            return "";
        byte[]? rented = null;
        int capacity = text.Length / 4 * 3 + 3;
        Span<byte> bytes = capacity <= 512 ? stackalloc byte[capacity] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(capacity));
        int n = DecodeBase64Lenient(text, bytes);
        string result = Encoding.UTF8.GetString(bytes[..n]);
        if (rented is not null)
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return result;
    }

    /// <summary>The bytes of <see cref="DecodeBase64Lenient(ReadOnlySpan{byte})"/>; <paramref name="output"/> needs len/4*3+3 bytes.</summary>
    public static int DecodeBase64Lenient(ReadOnlySpan<byte> text, Span<byte> output)
    {
        int written = 0, bits = 0, count = 0;
        foreach (byte c in text)
        {
            int v = c switch
            {
                >= (byte)'A' and <= (byte)'Z' => c - 'A',
                >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
                >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
                (byte)'+' or (byte)'-' => 62,
                (byte)'/' or (byte)'_' => 63,
                (byte)'=' => -2,
                _ => -1,
            };
            if (v == -2)
                break;
            if (v < 0)
                continue;
            bits = (bits << 6) | v;
            if (++count == 4)
            {
                output[written++] = (byte)(bits >> 16);
                output[written++] = (byte)(bits >> 8);
                output[written++] = (byte)bits;
                bits = 0;
                count = 0;
            }
        }
        if (count == 2)
            output[written++] = (byte)(bits >> 4);
        else if (count == 3)
        {
            output[written++] = (byte)(bits >> 10);
            output[written++] = (byte)(bits >> 2);
        }
        return written;
    }

    private static void WriteHex8(Span<byte> destination, uint value)
    {
        for (int i = 7; i >= 0; i--)
        {
            int nibble = (int)(value & 0xF);
            destination[i] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            value >>= 4;
        }
    }
}
