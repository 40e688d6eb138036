using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Solstice.Metadata;

public static partial class MetadataCodec
{
    /// <summary>
    /// Writes the host's answer to <paramref name="request"/>: nothing, <c>invalid command</c>,
    /// <c>V2_OK</c>, a V1 answer (<c>SUCCESS</c> + dot-stuffed value + <c>.</c>, <c>NOTFOUND</c>,
    /// <c>FAILURE</c>) or a V2 frame with the request's id.
    /// </summary>
    public static void WriteReply(in MetadataRequest request, in MetadataReply reply, IBufferWriter<byte> output)
    {
        switch (reply.Kind)
        {
            case MetadataReplyKind.None:
                return;
            case MetadataReplyKind.InvalidCommand:
                output.Write("invalid command\n"u8);
                return;
            case MetadataReplyKind.V2Ok:
                output.Write("V2_OK\n"u8);
                return;
        }
        var result = reply.Result;
        if (request.Kind == MetadataRequestKind.V2)
        {
            WriteV2Reply(request.RequestId!, result, output);
            return;
        }
        switch (result.Status)
        {
            case MetadataStatus.Success:
                output.Write("SUCCESS\n"u8);
                WriteUtf8(JsText.DotStuff(result.Value ?? ""), output);
                output.Write("\n.\n"u8);
                break;
            case MetadataStatus.NotFound:
                output.Write("NOTFOUND\n"u8);
                break;
            default:
                output.Write("FAILURE\n"u8);
                break;
        }
    }

    /// <summary>A V2 answer frame; a value or message that is empty is sent without payload, as node's <c>if (body)</c> does.</summary>
    public static void WriteV2Reply(string requestId, MetadataResult result, IBufferWriter<byte> output)
    {
        string code = result.Status switch
        {
            MetadataStatus.Success => "SUCCESS",
            MetadataStatus.NotFound => "NOTFOUND",
            _ => "FAILURE",
        };
        string? value = result.Status == MetadataStatus.NotFound ? null : result.Value;
        if (string.IsNullOrEmpty(value))
        {
            WriteV2Frame(requestId, code, [], hasPayload: false, output);
            return;
        }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> bytes = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        int n = Encoding.UTF8.GetBytes(value, bytes);
        WriteV2Frame(requestId, code, bytes[..n], hasPayload: true, output);
        if (rented is not null)
            ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>
    /// <c>V2 &lt;len&gt; &lt;crc32&gt; &lt;id&gt; &lt;word&gt;[ &lt;base64(payload)&gt;]\n</c>, the
    /// same shape for requests (word = operation) and answers (word = code).
    /// </summary>
    public static void WriteV2Frame(string requestId, string word, ReadOnlySpan<byte> payload, bool hasPayload, IBufferWriter<byte> output)
    {
        int b64 = hasPayload ? Base64.GetMaxEncodedToUtf8Length(payload.Length) : 0;
        int bodyLength = requestId.Length + 1 + word.Length + (hasPayload ? 1 + b64 : 0);
        int digits = CountDigits(bodyLength);
        int headerLength = 3 + digits + 1 + 8 + 1;
        int total = headerLength + bodyLength + 1;
        var span = output.GetSpan(total);
        "V2 "u8.CopyTo(span);
        int pos = 3;
        for (int i = digits - 1, v = bodyLength; i >= 0; i--, v /= 10)
            span[pos + i] = (byte)('0' + v % 10);
        pos += digits;
        span[pos++] = (byte)' ';
        int crcAt = pos;
        pos += 8;
        span[pos++] = (byte)' ';
        int bodyAt = pos;
        pos += Encoding.ASCII.GetBytes(requestId, span[pos..]);
        span[pos++] = (byte)' ';
        pos += Encoding.ASCII.GetBytes(word, span[pos..]);
        if (hasPayload)
        {
            span[pos++] = (byte)' ';
            Base64.EncodeToUtf8(payload, span[pos..], out _, out int encoded);
            pos += encoded;
        }
        WriteHex8(span[crcAt..], MetadataCrc32.Compute(span[bodyAt..pos]));
        span[pos++] = (byte)'\n';
        output.Advance(pos);
    }

    /// <summary>
    /// The argument of a V2 PUT before framing: <c>base64(key) + " " + base64(value)</c>. The
    /// frame base64-encodes it again.
    /// </summary>
    public static byte[] PutArgument(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var argument = new byte[Base64.GetMaxEncodedToUtf8Length(key.Length) + 1 + Base64.GetMaxEncodedToUtf8Length(value.Length)];
        Base64.EncodeToUtf8(key, argument, out _, out int k);
        argument[k] = (byte)' ';
        Base64.EncodeToUtf8(value, argument.AsSpan(k + 1), out _, out int v);
        return argument[..(k + 1 + v)];
    }

    private static void WriteUtf8(string text, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static int CountDigits(int value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }
}
