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
        AppendLine(text, headers, widths, rightAligned);
        foreach (var row in rows)
            AppendLine(text, row, widths, rightAligned);
        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, IReadOnlyList<string> cells, int[] widths, IReadOnlySet<int>? rightAligned)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
                line.Append("  ");
            bool right = rightAligned?.Contains(c) == true;
            line.Append(right ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
