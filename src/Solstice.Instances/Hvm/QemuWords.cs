using System.Text;

namespace Solstice.Instances.Hvm;

/// <summary>
/// qemu_opts and qemu_extra_opts as words. SmartOS pastes them unquoted into the bash script that
/// starts QEMU (smartos-live src/vm/node_modules/VM.js startVM), so bash splits them: on blanks,
/// with '...' and "..." quoting and backslash escapes. That much is done here; bash's expansions
/// ($VAR, globs, $(...)) are not: the words reach QEMU literally.
/// </summary>
public static class QemuWords
{
    /// <summary>The words of <paramref name="text"/>; false with a sentence saying what is wrong (an unterminated quote).</summary>
    public static bool TrySplit(string text, out List<string> words, out string? error)
    {
        words = [];
        error = null;
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n')
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    error = "has an unterminated single quote";
                    return false;
                }
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                int j = i + 1;
                for (; j < text.Length && text[j] != '"'; j++)
                {
                    // Inside double quotes a backslash escapes only these, as in bash.
                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\' or '$' or '`')
                        j++;
                    word.Append(text[j]);
                }
                if (j >= text.Length)
                {
                    error = "has an unterminated double quote";
                    return false;
                }
                i = j;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return true;
    }

    /// <summary>A value inside a QEMU option list: a literal comma is written twice.</summary>
    public static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
