namespace Solstice.Metadata;

/// <summary>
/// The JavaScript string semantics the SmartOS metadata agent (node) applies to requests and
/// values: <c>\s</c>, <c>trim()</c>, <c>Number(string)</c>, and the <c>/^\./mg</c> dot-stuffing.
/// </summary>
internal static class JsText
{
    /// <summary>ECMAScript WhiteSpace and LineTerminator, i.e. what <c>\s</c> and <c>trim()</c> match.</summary>
    public static bool IsWhiteSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00a0' or '\u1680' or '\u2028' or '\u2029'
            or '\u202f' or '\u205f' or '\u3000' or '\ufeff' => true,
        >= '\u2000' and <= '\u200a' => true,
        _ => false,
    };

    /// <summary>What <c>.</c> does not match, and where <c>^</c> matches in multiline mode.</summary>
    public static bool IsLineTerminator(char c) => c is '\n' or '\r' or '\u2028' or '\u2029';

    public static bool IsAsciiWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> s) => TrimStart(TrimEnd(s));

    public static ReadOnlySpan<char> TrimStart(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && IsWhiteSpace(s[i]))
            i++;
        return s[i..];
    }

    public static ReadOnlySpan<char> TrimEnd(ReadOnlySpan<char> s)
    {
        int end = s.Length;
        while (end > 0 && IsWhiteSpace(s[end - 1]))
            end--;
        return s[..end];
    }

    public static string Trim(string s)
    {
        var trimmed = Trim(s.AsSpan());
        return trimmed.Length == s.Length ? s : trimmed.ToString();
    }

    /// <summary><c>isNaN(Number(s))</c>: whether JavaScript fails to read the string as a number.</summary>
    public static bool IsNaN(ReadOnlySpan<char> s)
    {
        s = Trim(s);
        if (s.IsEmpty)
            return false;
        if (s.Length > 2 && s[0] == '0' && (s[1] | 0x20) is 'x' or 'o' or 'b')
        {
            int radix = (s[1] | 0x20) switch { 'x' => 16, 'o' => 8, _ => 2 };
            foreach (char c in s[2..])
            {
                int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? (c | 0x20) - 'a' + 10 : 99;
                if (digit >= radix)
                    return true;
            }
            return false;
        }
        if (s[0] is '+' or '-')
            s = s[1..];
        if (s.SequenceEqual("Infinity"))
            return false;
        int i = 0, intDigits = 0, fracDigits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            intDigits++;
        }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }
        if (intDigits + fracDigits == 0)
            return true;
        if (i < s.Length && (s[i] | 0x20) == 'e')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
                i++;
            int expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                expDigits++;
            }
            if (expDigits == 0)
                return true;
        }
        return i != s.Length;
    }

    /// <summary>
    /// <c>Number(s)</c> as an index into an array of <paramref name="count"/> elements, as
    /// <c>VM.flatten</c> reads <c>resolvers.&lt;n&gt;</c>: JavaScript number syntax, so <c>" 1 "</c>,
    /// <c>"1.0"</c> and <c>"0x1"</c> all mean 1, and <c>""</c> means 0.
    /// </summary>
    public static bool TryGetArrayIndex(ReadOnlySpan<char> s, int count, out int index)
    {
        index = -1;
        if (IsNaN(s))
            return false;
        var t = Trim(s);
        double value;
        if (t.IsEmpty)
            value = 0;
        else if (t.Length > 2 && t[0] == '0' && (t[1] | 0x20) is 'x' or 'o' or 'b')
        {
            int radix = (t[1] | 0x20) switch { 'x' => 16, 'o' => 8, _ => 2 };
            value = 0;
            foreach (char c in t[2..])
                value = value * radix + (char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        else if (t.EndsWith("Infinity"))
            return false;
        else if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value))
            return false;
        if (value < 0 || value != Math.Floor(value) || value >= count)
            return false;
        index = (int)value;
        return true;
    }

    /// <summary>
    /// Whether a property name is an array index, which JavaScript enumerates first and in
    /// ascending order (<c>Object.keys</c>), before the other names in insertion order.
    /// </summary>
    public static bool IsArrayIndex(string key, out uint index)
    {
        index = 0;
        if (key.Length == 0 || key.Length > 10 || (key.Length > 1 && key[0] == '0'))
            return false;
        ulong value = 0;
        foreach (char c in key)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (uint)(c - '0');
        }
        if (value >= uint.MaxValue)
            return false;
        index = (uint)value;
        return true;
    }

    /// <summary><c>s.replace(/^\./mg, '..')</c>: doubles a dot that starts the text or any line.</summary>
    public static string DotStuff(string s)
    {
        if (s.Length == 0)
            return s;
        int count = s[0] == '.' ? 1 : 0;
        for (int i = 1; i < s.Length; i++)
        {
            if (s[i] == '.' && IsLineTerminator(s[i - 1]))
                count++;
        }
        if (count == 0)
            return s;
        return string.Create(s.Length + count, s, static (dest, src) =>
        {
            int j = 0;
            for (int i = 0; i < src.Length; i++)
            {
                if (src[i] == '.' && (i == 0 || IsLineTerminator(src[i - 1])))
                    dest[j++] = '.';
                dest[j++] = src[i];
            }
        });
    }
}
