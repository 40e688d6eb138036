namespace Solstice.Network.Firewall;

/// <summary>A command-line mistake: fwadm prints the message and exits 2.</summary>
public sealed class FwadmUsageException(string message) : Exception(message);

/// <summary>
/// fwadm's options (smartos-live src/fw/lib/fwadm.js OPTS), parsed dashdash-style: options may come
/// anywhere, short flags bundle ("-ej"), values attach ("-Ofoo", "--desc=x") or follow, "--" ends options.
/// </summary>
internal sealed class FwadmOptions
{
    private static readonly Dictionary<string, string> s_long = new(StringComparer.Ordinal)
    {
        ["dryrun"] = "dryrun", ["delim"] = "d", ["description"] = "desc", ["desc"] = "desc", ["enable"] = "e",
        ["file"] = "f", ["global"] = "g", ["help"] = "h", ["json"] = "j", ["fields"] = "o", ["owner_uuid"] = "O",
        ["parseable"] = "p", ["verbose"] = "v",
    };

    private static readonly HashSet<string> s_valued = ["d", "desc", "f", "o", "O"];

    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Value(string name) => _values.GetValueOrDefault(name);

    public static FwadmOptions Parse(IEnumerable<string> args)
    {
        var options = new FwadmOptions();
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string arg = list[i];
            if (arg == "--")
            {
                options.Positional.AddRange(list.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                string body = arg[2..];
                int eq = body.IndexOf('=');
                string name = eq < 0 ? body : body[..eq];
                if (!s_long.TryGetValue(name, out string? key))
                    throw new FwadmUsageException($"unknown option: \"{arg}\"");
                if (!s_valued.Contains(key))
                    options._values[key] = null;
                else
                    options._values[key] = eq >= 0 ? body[(eq + 1)..] : i + 1 < list.Count ? list[++i] : throw Missing(arg);
                continue;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                options.Positional.Add(arg);
                continue;
            }
            for (int j = 1; j < arg.Length; j++)
            {
                string key = arg[j].ToString();
                if (!s_long.ContainsValue(key) || key is "desc" or "dryrun")
                    throw new FwadmUsageException($"unknown option: \"-{key}\"");
                if (!s_valued.Contains(key))
                {
                    options._values[key] = null;
                    continue;
                }
                options._values[key] = j + 1 < arg.Length ? arg[(j + 1)..] : i + 1 < list.Count ? list[++i] : throw Missing("-" + key);
                break;
            }
        }
        return options;
    }

    private static FwadmUsageException Missing(string option) => new($"do not have enough args for \"{option}\" option");
}
