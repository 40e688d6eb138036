namespace Solstice.Network.Firewall;

/// <summary>
/// The fwrule lexer. Its rules are tried in sdc-fwrule's order and the first that matches wins (not the
/// longest): keywords, all-upper or all-lower, must end at a word boundary; then punctuation, quoted
/// strings, IPv4 and IPv6 addresses, CIDR suffixes and finally words.
/// </summary>
internal sealed class FwRuleLexer(string input)
{
    private static readonly (string Upper, FwTokenKind Kind)[] s_keywords =
    [
        ("FROM", FwTokenKind.From), ("TO", FwTokenKind.To), ("IP", FwTokenKind.Ip), ("SUBNET", FwTokenKind.Subnet),
        ("ANY", FwTokenKind.Any), ("ALL", FwTokenKind.All), ("TAG", FwTokenKind.Tag), ("VM", FwTokenKind.Vm),
        ("VMS", FwTokenKind.Vms), ("OR", FwTokenKind.Or), ("AND", FwTokenKind.And), ("BLOCK", FwTokenKind.Block),
        ("ALLOW", FwTokenKind.Allow), ("PORT", FwTokenKind.Port), ("PORTS", FwTokenKind.Ports), ("TCP", FwTokenKind.Tcp),
        ("UDP", FwTokenKind.Udp), ("ICMP", FwTokenKind.Icmp), ("ICMP6", FwTokenKind.Icmp6), ("AH", FwTokenKind.Ah),
        ("ESP", FwTokenKind.Esp), ("TYPE", FwTokenKind.Type), ("CODE", FwTokenKind.Code), ("PRIORITY", FwTokenKind.Priority),
    ];

    private int _pos;

    public string Input => input;

    /// <summary>Reads the next token, or throws a lexical error when no rule matches.</summary>
    public FwToken Next()
    {
        while (_pos < input.Length && IsJsWhitespace(input[_pos]))
            _pos++;
        int start = _pos;
        if (start == input.Length)
            return new FwToken(FwTokenKind.Eof, "", "", start, start);
        int end;
        FwTokenKind kind;
        if (MatchKeyword(start, out kind, out end) || MatchPunctuation(start, out kind, out end))
        {
        }
        else if (MatchString(start, out end))
        {
            _pos = end;
            string raw = input[start..end];
            return new FwToken(FwTokenKind.String, raw, FwTagText.Unescape(raw[1..^1]), start, end);
        }
        else if (MatchIpv4(start, out end))
        {
            kind = FwTokenKind.Ipv4Addr;
        }
        else if (MatchIpv6(start, out end))
        {
            kind = FwTokenKind.Ipv6Addr;
        }
        else if (MatchCidrSuffix(start, out end))
        {
            kind = FwTokenKind.CidrSuffix;
        }
        else if ((end = SkipWhile(start, IsWordChar)) > start)
        {
            kind = FwTokenKind.Word;
        }
        else
        {
            throw LexicalError(start);
        }
        _pos = end;
        string text = input[start..end];
        return new FwToken(kind, text, text, start, end);
    }

    private FwRuleSyntaxException LexicalError(int offset)
    {
        string upcoming = input.Substring(offset, Math.Min(20, input.Length - offset)).Replace("\n", "", StringComparison.Ordinal);
        return new FwRuleSyntaxException(
            $"Error at character {offset}: '{upcoming}', found: unexpected text", offset, offset, upcoming, "unexpected text", []);
    }

    private bool MatchKeyword(int start, out FwTokenKind kind, out int end)
    {
        foreach (var (upper, k) in s_keywords)
        {
            int e = start + upper.Length;
            if (e > input.Length || (e < input.Length && IsJsWordChar(input[e])))
                continue;
            var span = input.AsSpan(start, upper.Length);
            if (span.SequenceEqual(upper) || IsLowerOf(span, upper))
            {
                kind = k;
                end = e;
                return true;
            }
        }
        kind = default;
        end = start;
        return false;
    }

    private static bool IsLowerOf(ReadOnlySpan<char> span, string upper)
    {
        for (int i = 0; i < span.Length; i++)
        {
            if (span[i] != char.ToLowerInvariant(upper[i]))
                return false;
        }
        return true;
    }

    private bool MatchPunctuation(int start, out FwTokenKind kind, out int end)
    {
        end = start + 1;
        kind = input[start] switch
        {
            '-' => FwTokenKind.Dash,
            ',' => FwTokenKind.Comma,
            '=' => FwTokenKind.Equals,
            '(' => FwTokenKind.LParen,
            ')' => FwTokenKind.RParen,
            _ => FwTokenKind.Eof,
        };
        return kind != FwTokenKind.Eof;
    }

    private bool MatchString(int start, out int end)
    {
        end = start;
        if (input[start] != '"')
            return false;
        int i = start + 1;
        while (i < input.Length)
        {
            char c = input[i];
            if (c == '"')
            {
                end = i + 1;
                return true;
            }
            if (c != '\\')
            {
                i++;
                continue;
            }
            if (i + 1 >= input.Length)
                return false;
            char e = input[i + 1];
            if (e is '"' or 'b' or 'f' or 'n' or 'r' or 't' or '/' or '(' or ')' or '\\')
            {
                i += 2;
            }
            else if (e == 'u' && IsHexRun(i + 2, 4))
            {
                i += 6;
            }
            else
            {
                return false;
            }
        }
        return false;
    }

    private bool IsHexRun(int start, int count)
    {
        if (start + count > input.Length)
            return false;
        for (int i = start; i < start + count; i++)
        {
            if (!char.IsAsciiHexDigit(input[i]))
                return false;
        }
        return true;
    }

    private bool MatchIpv4(int start, out int end)
    {
        int i = start;
        for (int octet = 0; octet < 4; octet++)
        {
            int digitsEnd = SkipWhile(i, char.IsAsciiDigit);
            int digits = digitsEnd - i;
            if (digits == 0 || (octet < 3 && (digits > 3 || digitsEnd >= input.Length || input[digitsEnd] != '.')))
            {
                end = start;
                return false;
            }
            i += Math.Min(digits, 3);
            if (octet < 3)
                i++;
        }
        end = i;
        return true;
    }

    private bool MatchIpv6(int start, out int end)
    {
        end = start;
        int i = SkipWhile(start, IsLowerHex);
        if (i >= input.Length || input[i] != ':')
            return false;
        i = SkipWhile(i + 1, IsLowerHex);
        if (i >= input.Length || input[i] != ':')
            return false;
        end = SkipWhile(i + 1, c => c == ':' || IsLowerHex(c));
        return true;
    }

    private bool MatchCidrSuffix(int start, out int end)
    {
        end = start;
        if (input[start] != '/')
            return false;
        int digitsEnd = SkipWhile(start + 1, char.IsAsciiDigit);
        if (digitsEnd == start + 1)
            return false;
        end = Math.Min(digitsEnd, start + 4);
        return true;
    }

    private int SkipWhile(int i, Func<char, bool> predicate)
    {
        while (i < input.Length && predicate(input[i]))
            i++;
        return i;
    }

    private static bool IsLowerHex(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static bool IsJsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>JavaScript's \s, which the grammar skips between tokens.</summary>
    private static bool IsJsWhitespace(char c) =>
        c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F'
            or '\u205F' or '\u3000' or '\uFEFF'
        || c is >= '\u2000' and <= '\u200A';
}
