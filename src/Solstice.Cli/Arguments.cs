namespace Solstice.Cli;

/// <summary>
/// getopt-style parsing for the small option sets our tools have: flags may be bundled ("-Hp"),
/// an option's value may be attached ("-ofoo") or follow ("-o foo"), and "--" ends options.
/// </summary>
public sealed class Arguments
{
    private readonly HashSet<char> _flags = [];
    private readonly Dictionary<char, List<string>> _values = [];

    public List<string> Positional { get; } = [];

    public static Arguments Parse(IReadOnlyList<string> args, string flags, string valued)
    {
        var parsed = new Arguments();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                parsed.Positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-' || char.IsDigit(arg[1]) && !flags.Contains(arg[1]))
            {
                parsed.Positional.Add(arg);
                continue;
            }
            for (int j = 1; j < arg.Length; j++)
            {
                char c = arg[j];
                if (flags.Contains(c))
                {
                    parsed._flags.Add(c);
                }
                else if (valued.Contains(c))
                {
                    string value = j + 1 < arg.Length ? arg[(j + 1)..]
                        : i + 1 < args.Count ? args[++i]
                        : throw new UsageException($"missing argument for '-{c}' option");
                    if (!parsed._values.TryGetValue(c, out var list))
                        parsed._values[c] = list = [];
                    list.Add(value);
                    break;
                }
                else
                {
                    throw new UsageException($"invalid option '{c}'");
                }
            }
        }
        return parsed;
    }

    public bool Has(char flag) => _flags.Contains(flag) || _values.ContainsKey(flag);

    public string? Value(char option) => _values.TryGetValue(option, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(char option) => _values.TryGetValue(option, out var list) ? list : [];
}
