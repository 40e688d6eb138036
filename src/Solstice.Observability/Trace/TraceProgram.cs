using System.Globalization;
using System.Text;

namespace Solstice.Observability.Trace;

/// <summary>One zone as a traced program sees it: its number in the program's maps, its name, and its tasks (thread ids).</summary>
public sealed record TraceZone(int Index, string Name, IReadOnlyList<int> Tids);

/// <summary>
/// Turns a bpftrace program that uses <c>zonename</c> into one bpftrace runs. The zone of a task
/// is a map from thread id to a zone number (@__zn), filled in BEGIN from the zones' cgroups and
/// carried to every new task by sched_process_fork, so it works the same on a v1, hybrid or v2
/// host (bpftrace's cgroup builtin is the v2 id only, and a v1 host's zones have none); numbers
/// name zones through @__zname, 0 being global. <c>zonename</c> becomes @__zname[@__zn[tid]];
/// -z adds a predicate on @__zn[tid] to every probe but BEGIN and END.
/// </summary>
public static class TraceProgram
{
    public const string TaskMap = "@__zn";
    public const string NameMap = "@__zname";

    public static string ZoneExpression => $"{NameMap}[{TaskMap}[tid]]";

    public static string Build(string program, IReadOnlyList<TraceZone> zones, IReadOnlyCollection<int>? only)
    {
        string body = ReplaceZonename(program);
        bool restricted = only is { Count: > 0 };
        bool named = body != program;
        if (!named && !restricted)
            return program.EndsWith('\n') ? program : program + "\n"; // nothing about zones: bpftrace's program as given
        var sb = new StringBuilder();
        sb.Append("BEGIN\n{\n");
        // Types the task map even when no zone runs (tid 0 is the idle task, global anyway).
        sb.Append(CultureInfo.InvariantCulture, $"\t{TaskMap}[0] = 0;\n");
        if (named)
            sb.Append(CultureInfo.InvariantCulture, $"\t{NameMap}[0] = \"global\";\n");
        foreach (var z in zones)
        {
            // Each string store costs bpftrace about 6 ms to compile (docs/observability.md), so
            // names are written only where the program can print them: all zones, or the -z ones.
            if (named && (!restricted || only!.Contains(z.Index)))
                sb.Append(CultureInfo.InvariantCulture, $"\t{NameMap}[{z.Index}] = \"{Escape(z.Name)}\";\n");
            foreach (int tid in z.Tids)
                sb.Append(CultureInfo.InvariantCulture, $"\t{TaskMap}[{tid}] = {z.Index};\n");
        }
        sb.Append("}\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"tracepoint:sched:sched_process_fork /{TaskMap}[args->parent_pid]/\n{{\n\t{TaskMap}[args->child_pid] = {TaskMap}[args->parent_pid];\n}}\n");
        if (restricted)
        {
            // Global (0) is every task not in a zone's map: a missing key reads as 0.
            string predicate = string.Join(" || ", only!.Order().Select(i => $"{TaskMap}[tid] == {i.ToString(CultureInfo.InvariantCulture)}"));
            body = Restrict(body, predicate);
        }
        sb.Append(body);
        if (!body.EndsWith('\n'))
            sb.Append('\n');
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>The identifier zonename (outside strings and comments) → the map lookup.</summary>
    public static string ReplaceZonename(string program)
    {
        var sb = new StringBuilder(program.Length);
        Scan(program, (i, kind) =>
        {
            if (kind == Region.Code && IsWordAt(program, i, "zonename"))
            {
                sb.Append(ZoneExpression);
                return i + "zonename".Length;
            }
            sb.Append(program[i]);
            return i + 1;
        });
        return sb.ToString();
    }

    /// <summary>Adds <paramref name="predicate"/> to every probe's predicate but BEGIN's and END's.</summary>
    public static string Restrict(string program, string predicate)
    {
        var sb = new StringBuilder(program.Length + 64);
        int depth = 0;
        int headerStart = 0;
        Scan(program, (i, kind) =>
        {
            char c = program[i];
            if (kind == Region.Code && c == '{')
            {
                if (depth == 0)
                {
                    string header = program[headerStart..i];
                    sb.Append(WithPredicate(header, predicate));
                }
                depth++;
                if (depth > 1)
                    sb.Append(c);
                else
                    sb.Append('{');
                return i + 1;
            }
            if (kind == Region.Code && c == '}')
            {
                depth = Math.Max(0, depth - 1);
                sb.Append(c);
                if (depth == 0)
                    headerStart = i + 1;
                return i + 1;
            }
            if (depth > 0)
                sb.Append(c);
            return i + 1;
        });
        if (headerStart < program.Length && depth == 0)
            sb.Append(program[headerStart..]);
        return sb.ToString();
    }

    private static string WithPredicate(string header, string predicate)
    {
        string trimmed = header.Trim();
        // Comments before the probe stay as they were; only the probe's own text decides.
        string probes = string.Join('\n', trimmed.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal))).Trim();
        if (probes.Length == 0 || probes is "BEGIN" or "END" || probes.StartsWith("BEGIN", StringComparison.Ordinal) && probes.Length == 5)
            return header;
        if (probes.StartsWith("BEGIN", StringComparison.Ordinal) || probes.StartsWith("END", StringComparison.Ordinal))
            return header;
        // Timers fire in whatever task is on the CPU: restricting them would only delay them (an
        // exit() in one would wait for a zone task to be running). profile: probes sample the task
        // on the CPU, so they are restricted like any other.
        if (probes.StartsWith("interval:", StringComparison.Ordinal) || probes.StartsWith("i:", StringComparison.Ordinal))
            return header;
        string end = header.TrimEnd();
        string trailing = header[end.Length..];
        if (end.EndsWith('/'))
        {
            // An existing predicate "/.../" follows the probe list after whitespace (probe names like
            // uprobe:/bin/sh:readline contain slashes but no whitespace).
            int close = end.Length - 1;
            int open = -1;
            for (int j = close - 1; j > 0; j--)
                if (end[j] == '/' && char.IsWhiteSpace(end[j - 1]))
                {
                    open = j;
                    break;
                }
            if (open > 0)
                return $"{end[..open]}/({predicate}) && ({end[(open + 1)..close]})/{trailing}";
        }
        return $"{end} /{predicate}/{trailing}";
    }

    private enum Region { Code, String, Comment }

    /// <summary>Walks the text, telling the step whether each character is code, in a string or in a comment; the step returns the next index.</summary>
    private static void Scan(string s, Func<int, Region, int> step)
    {
        int i = 0;
        while (i < s.Length)
        {
            if (s[i] == '"')
            {
                int j = i + 1;
                while (j < s.Length && s[j] != '"')
                    j += s[j] == '\\' ? 2 : 1;
                j = Math.Min(s.Length, j + 1);
                while (i < j)
                    i = step(i, Region.String) is var n && n > i ? Math.Min(n, j) : i + 1;
                continue;
            }
            if (i + 1 < s.Length && s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '*'))
            {
                int j = s[i + 1] == '/' ? s.IndexOf('\n', i) : s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                j = j < 0 ? s.Length : s[i + 1] == '/' ? j : j + 2;
                while (i < j)
                    i = step(i, Region.Comment) is var n && n > i ? Math.Min(n, j) : i + 1;
                continue;
            }
            i = step(i, Region.Code);
        }
    }

    private static bool IsWordAt(string s, int i, string word) =>
        string.CompareOrdinal(s, i, word, 0, word.Length) == 0
        && (i == 0 || !IsIdent(s[i - 1]))
        && (i + word.Length >= s.Length || !IsIdent(s[i + word.Length]));

    private static bool IsIdent(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '@' or '$';
}
