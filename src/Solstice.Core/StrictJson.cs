using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Solstice.Core;

/// <summary>
/// Reads JSON that came from a user (a vmadm payload, a manifest file) and refuses what System.Text.Json
/// would accept now and fail on later: an object that repeats a key (a lazy <see cref="JsonObject"/> throws
/// ArgumentException on first lookup) and a string holding a lone UTF-16 surrogate such as <c>"\ud800"</c>
/// (InvalidOperationException on first read, which crashed the CLIs). Every failure is an InvalidArgument
/// <see cref="SolsticeException"/> whose message is a sentence naming the line and column, never a runtime
/// resource key.
/// </summary>
public static class StrictJson
{
    /// <summary>Parses <paramref name="text"/>, which must hold one JSON object; <paramref name="what"/> names it in messages.</summary>
    public static JsonObject ParseObject(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text), what) as JsonObject
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid JSON {what}: not an object");
    }

    /// <summary>Parses UTF-8 <paramref name="utf8"/> into a fully built node (null for the literal <c>null</c>).</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, string what)
    {
        Check(utf8, what);
        try
        {
            var node = JsonNode.Parse(utf8);
            Walk(node, readStrings: false); // Check has read every string already
            return node;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Check has already refused everything these can report; this is a second line.
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid JSON {what}: the document is malformed");
        }
    }

    /// <summary>Walks <paramref name="utf8"/> once, throwing on malformed text, repeated keys and lone surrogates.</summary>
    public static void Check(ReadOnlySpan<byte> utf8, string what)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        string key = ReadString(ref reader, utf8, what, "a key");
                        if (!keys.Peek().Add(key))
                            throw Fail(utf8, reader.TokenStartIndex, what, $"the key \"{Printable(key)}\" appears twice in one object");
                        break;
                    case JsonTokenType.String:
                        ReadString(ref reader, utf8, what, "a string");
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is { } line && ex.BytePositionInLine is { } column
                ? $" at line {line + 1}, column {column + 1}" : "";
            string problem = utf8.Trim(" \t\r\n"u8).IsEmpty ? "the document is empty" : $"malformed JSON{where}";
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid JSON {what}: {problem}");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string what, string kind)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Fail(utf8, reader.TokenStartIndex, what, $"{kind} is not valid Unicode (it holds a lone UTF-16 surrogate escape)");
        }
    }

    private static SolsticeException Fail(ReadOnlySpan<byte> utf8, long offset, string what, string problem)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new SolsticeException(ErrorCode.InvalidArgument, $"Invalid JSON {what} at line {line}, column {column}: {problem}");
    }

    private static string Printable(string key) =>
        key.Length > 64 ? key[..64] + "..." : key.Any(char.IsControl) ? string.Concat(key.Select(c => char.IsControl(c) ? '?' : c)) : key;

    /// <summary>
    /// The same guarantee for a node that was parsed without <see cref="Check"/> (a payload that came
    /// over the node socket): builds every lazily parsed object and reads every string, so a repeated
    /// key or a lone surrogate fails here with a sentence rather than later with a runtime resource key.
    /// </summary>
    public static void EnsureReadable(JsonNode? node, string what)
    {
        try
        {
            Walk(node, readStrings: true);
        }
        catch (ArgumentException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid JSON {what}: an object repeats a key");
        }
        catch (InvalidOperationException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"Invalid JSON {what}: a string is not valid Unicode (it holds a lone UTF-16 surrogate escape)");
        }
    }

    /// <summary>Forces every lazily built object and array (a repeated key throws ArgumentException), and with readStrings every string.</summary>
    private static void Walk(JsonNode? node, bool readStrings)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                    Walk(value, readStrings);
                break;
            case JsonArray array:
                foreach (var item in array)
                    Walk(item, readStrings);
                break;
            case JsonValue value when readStrings && value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }
}
