using System.Globalization;
using System.Text;

namespace Solstice.Network.Firewall;

/// <summary>Escaping of quoted tag names and values, as sdc-fwrule's tagEscape/tagUnescape define it.</summary>
public static class FwTagText
{
    public static string Quote(string value) => "\"" + Escape(value) + "\"";

    /// <summary>
    /// Escapes what the grammar needs (quote, backslash) plus parentheses, which older parsers required,
    /// and control and Unicode space characters so that an operator never mistakes them for a space.
    /// </summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        foreach (char c in value)
        {
            switch (c)
            {
                case '"' or '(' or ')' or '\\':
                    sb.Append('\\').Append(c);
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (NeedsUnicodeEscape(c))
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool NeedsUnicodeEscape(char c) =>
        c < 0x20 || c == 0x7F || c == 0x85 || c == 0xA0 || c == 0x1680 || c == 0x180E
        || c is >= '\u2000' and <= '\u200D' || c is '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u2060'
        || c is '\u3000' or '\uFEFF';

    /// <summary>Undoes the escapes of a quoted string's body; the lexer has already checked that they are valid.</summary>
    internal static string Unescape(string body)
    {
        if (!body.Contains('\\'))
            return body;
        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            char e = body[++i];
            switch (e)
            {
                case 'u':
                    sb.Append((char)int.Parse(body.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'b':
                    sb.Append('\b');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                default:
                    sb.Append(e);
                    break;
            }
        }
        return sb.ToString();
    }
}
