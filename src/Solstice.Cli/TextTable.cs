using System.Text;

namespace Solstice.Cli;

/// <summary>
/// Renders rows the way zfs(8) does: a header, columns separated by two spaces, numeric columns
/// right-aligned; with scripted output (-H) no header and single tabs.
/// </summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, bool scripted, IReadOnlySet<int>? rightAligned = null)
    {
        var text = new StringBuilder();
        if (scripted)
        {
            foreach (var row in rows)
                text.Append(string.Join('\t', row)).Append('\n');
            return text.ToString();
        }
        int[] widths = new int[headers.Count];
        for (int c = 0; c < headers.Count; c++)
            widths[c] = Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length));
        // Sized up front: a listing of thousands of rows would otherwise grow the builder block by block.
        text.EnsureCapacity((rows.Count + 1) * (widths.Sum() + 2 * widths.Length + 1));
        AppendLine(text, headers, widths, rightAligned);
        foreach (var row in rows)
            AppendLine(text, row, widths, rightAligned);
        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, IReadOnlyList<string> cells, int[] widths, IReadOnlySet<int>? rightAligned)
    {
        int start = text.Length;
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
                text.Append("  ");
            bool right = rightAligned?.Contains(c) == true;
            int pad = widths[c] - cells[c].Length;
            if (right && pad > 0)
                text.Append(' ', pad);
            text.Append(cells[c]);
            if (!right && pad > 0)
                text.Append(' ', pad);
        }
        int end = text.Length;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        text.Length = end;
        text.Append('\n');
    }
}
