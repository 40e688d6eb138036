using System.Buffers;

namespace Solstice.Metadata;

/// <summary>
/// What the host does with a parsed request, following the SmartOS agent's handler: GET and
/// KEYS in both versions, NEGOTIATE only in V1, PUT and DELETE only in V2, anything else
/// <c>FAILURE</c> ("Unknown command X"). Key rules live in the <see cref="IMetadataStore"/>.
/// </summary>
public sealed class MetadataHandler(IMetadataStore store, MetadataLimits limits)
{
    public ValueTask<MetadataReply> ExecuteAsync(MetadataRequest request, CancellationToken ct)
    {
        switch (request.Kind)
        {
            case MetadataRequestKind.InvalidCommand:
                return new(MetadataReply.InvalidCommand);
            case MetadataRequestKind.Drop:
                return new(MetadataReply.None);
        }
        bool v2 = request.Kind == MetadataRequestKind.V2;
        switch (request.Command)
        {
            case "GET":
                string key = JsText.Trim(request.Argument);
                return new(MetadataReply.Of(key.Length == 0 ? MetadataResult.Failed("Invalid GET Request") : store.Get(key)));
            case "NEGOTIATE" when !v2:
                return new(request.Argument == "V2" ? MetadataReply.V2Ok : MetadataReply.Of(MetadataResult.Failed()));
            case "DELETE" when v2:
                return DeleteAsync(request.Argument, ct);
            case "PUT" when v2:
                return PutAsync(request.Argument, ct);
            case "KEYS":
                return new(MetadataReply.Of(MetadataResult.Found(string.Join('\n', store.Keys()))));
            default:
                return new(MetadataReply.Of(MetadataResult.Failed("Unknown command " + request.Command)));
        }
    }

    private async ValueTask<MetadataReply> DeleteAsync(string argument, CancellationToken ct)
    {
        string key = JsText.Trim(argument);
        if (key.Length == 0)
            return MetadataReply.Of(MetadataResult.Failed("Invalid DELETE Request"));
        return MetadataReply.Of(await store.DeleteAsync(key, ct));
    }

    /// <summary>
    /// The payload is <c>base64(key) + " " + base64(value)</c>, split on single spaces into
    /// exactly two terms; the key is trimmed, the value kept as sent.
    /// </summary>
    private async ValueTask<MetadataReply> PutAsync(string argument, CancellationToken ct)
    {
        var terms = JsText.Trim(argument.AsSpan());
        int space = terms.IndexOf(' ');
        if (space < 0 || terms[(space + 1)..].Contains(' '))
            return MetadataReply.Of(MetadataResult.Failed("Invalid PUT Request"));
        string key = JsText.Trim(DecodeTerm(terms[..space]));
        var valueTerm = terms[(space + 1)..];
        if (key.Length == 0)
            return MetadataReply.Of(MetadataResult.Failed("Invalid PUT Request"));
        if (valueTerm.Length / 4 * 3 > limits.MaxValueBytes + 3)
            return MetadataReply.Of(TooLarge(limits));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(valueTerm.Length);
        string value;
        try
        {
            int n = DecodeTerm(valueTerm, buffer);
            if (n > limits.MaxValueBytes)
                return MetadataReply.Of(TooLarge(limits));
            value = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return MetadataReply.Of(await store.PutAsync(key, value, ct));
    }

    internal static MetadataResult TooLarge(MetadataLimits limits) =>
        MetadataResult.Failed($"Value too large (limit {limits.MaxValueBytes} bytes)");

    private static string DecodeTerm(ReadOnlySpan<char> term)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(term.Length);
        int n = DecodeTerm(term, buffer);
        string text = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
        ArrayPool<byte>.Shared.Return(buffer);
        return text;
    }

    /// <summary>Decodes a base64 term in place; characters outside ASCII are skipped like any non-alphabet character.</summary>
    private static int DecodeTerm(ReadOnlySpan<char> term, byte[] buffer)
    {
        for (int i = 0; i < term.Length; i++)
            buffer[i] = term[i] < 0x80 ? (byte)term[i] : (byte)'?';
        return MetadataCodec.DecodeBase64Lenient(buffer.AsSpan(0, term.Length), buffer);
    }
}
