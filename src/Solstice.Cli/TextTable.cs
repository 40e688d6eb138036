using System.Text;

namespace Solstice.Cli;

/// <summary>
/// Renders rows the way zfs(8) does: a header, columns separated by two spaces, numeric columns
/// right-aligned; with scripted output (-H) no header and single tabs.
/// </summary>
public static class TextTable
{
    // Lines are gathered into pieces of about this many chars before each write to the output.
    private const int PieceChars = 32 * 1024;

    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, bool scripted, IReadOnlySet<int>? rightAligned = null)
    {
        if (scripted)
        {
            var text = new StringBuilder();
            foreach (var row in rows)
                text.Append(string.Join('\t', row)).Append('\n');
            return text.ToString();
        }
        using var output = new StringWriter();
        WriteAligned(output, headers, rows.Count, (r, c) => rows[r][c], printHeaders: true, rightAligned);
        return output.ToString();
    }

    /// <summary>
    /// Writes an aligned table straight to output, in large pieces and without building it as one
    /// string first: for listings of thousands of rows. cells holds the rows one after another.
    /// The headers count towards the column widths even when they are not printed.
    /// </summary>
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<string> cells, bool printHeaders) =>
        WriteAligned(output, headers, cells.Count / headers.Count, (r, c) => cells[r * headers.Count + c], printHeaders, rightAligned: null);

    private static void WriteAligned(TextWriter output, IReadOnlyList<string> headers, int rowCount, Func<int, int, string> cell,
        bool printHeaders, IReadOnlySet<int>? rightAligned)
    {
        int columns = headers.Count;
        int[] widths = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            widths[c] = headers[c].Length;
            for (int r = 0; r < rowCount; r++)
                widths[c] = Math.Max(widths[c], cell(r, c).Length);
        }
        int longest = widths.Sum() + 2 * columns + 1;
        Func<int, int, string> at = (r, c) => r < 0 ? headers[c] : cell(r, c);
        char[] piece = new char[Math.Max(PieceChars, 2 * longest)];
        int used = 0;
        if (printHeaders)
            used = AppendLine(piece, used, -1, columns, at, widths, rightAligned);
        for (int r = 0; r < rowCount; r++)
        {
            if (used + longest > piece.Length)
            {
                output.Write(piece, 0, used);
                used = 0;
            }
            used = AppendLine(piece, used, r, columns, at, widths, rightAligned);
        }
        output.Write(piece, 0, used);
    }

    /// <summary>Appends row (-1: the headers) padded at start, trailing whitespace trimmed; returns the new end.</summary>
    private static int AppendLine(char[] piece, int start, int row, int columns, Func<int, int, string> at, int[] widths, IReadOnlySet<int>? rightAligned)
    {
        int end = start;
        for (int c = 0; c < columns; c++)
        {
            if (c > 0)
            {
                piece[end++] = ' ';
                piece[end++] = ' ';
            }
            string text = at(row, c);
            bool right = rightAligned?.Contains(c) == true;
            int pad = widths[c] - text.Length;
            if (right && pad > 0)
                end = Pad(piece, end, pad);
            text.CopyTo(piece.AsSpan(end));
            end += text.Length;
            if (!right && pad > 0)
                end = Pad(piece, end, pad);
        }
        while (end > start && char.IsWhiteSpace(piece[end - 1]))
            end--;
        piece[end++] = '\n';
        return end;
    }

    private static int Pad(char[] piece, int at, int count)
    {
        piece.AsSpan(at, count).Fill(' ');
        return at + count;
    }
}
