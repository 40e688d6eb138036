using System.Globalization;
using Solstice.Core;

namespace Solstice.Network.Links;

/// <summary>
/// The logic of nictagadm (smartos-interfaces.md §6.2) over the node's network config file. vmsUsingTag
/// answers which VMs have a nic on a tag (delete refuses while there are any, vms lists them);
/// onChange runs after the file was saved (the daemon restores bridges there). Exit 0 ok, 1 error,
/// 2 usage.
/// </summary>
public sealed class NictagadmCommand(string configPath, Func<string, IReadOnlyList<string>> vmsUsingTag, Action<NicTagConfig>? onChange = null)
{
    public const string Usage = """
        Usage: nictagadm <subcommand> [options]

          add [-l] [-p mac=<mac>,mtu=<mtu>,link=<ifname>] <name> [mac]
          delete [-f] <name>
          exists [-l] <name> ...
          list [-l | -L] [-p] [-d <delim>]
          update [-p mac=<mac>,mtu=<mtu>,link=<ifname>] <name> [mac]
          vms <name>

        """;

    private sealed class UsageException(string message) : Exception(message);

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
            {
                (args.Count == 0 ? stderr : stdout).Write(Usage);
                return args.Count == 0 ? 2 : 0;
            }
            var rest = args.Skip(1).ToList();
            return args[0] switch
            {
                "list" => List(rest, stdout),
                "add" => Add(rest),
                "update" => Update(rest),
                "delete" => Delete(rest),
                "exists" => Exists(rest),
                "vms" => Vms(rest, stdout),
                _ => throw new UsageException($"unknown subcommand '{args[0]}'"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"nictagadm: {e.Message}");
            stderr.Write(Usage);
            return 2;
        }
        catch (SolsticeException e)
        {
            stderr.WriteLine($"nictagadm: {e.Message}");
            return 1;
        }
    }

    private int List(List<string> args, TextWriter stdout)
    {
        var opts = Parse(args, "lLp", "d");
        if (opts.Positional.Count > 0)
            throw new UsageException("list takes no arguments");
        if (opts.Flags.Contains('l') && opts.Flags.Contains('L'))
            throw new UsageException("-l and -L are mutually exclusive");
        string? delim = opts.Values.GetValueOrDefault('d');
        if (delim is not null && !opts.Flags.Contains('p'))
            throw new UsageException("-d requires -p");
        delim ??= ":";
        var tags = NicTagConfig.Load(configPath).Tags
            .Where(t => !(opts.Flags.Contains('l') && t.Kind != NicTagKind.Local) && !(opts.Flags.Contains('L') && t.Kind == NicTagKind.Local))
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        var rows = tags.Select(t => new[]
        {
            t.Name,
            t.Mac ?? "-",
            t.Link ?? "-",
            t.Kind == NicTagKind.Local ? "etherstub" : "normal",
            (t.Mtu ?? 1500).ToString(CultureInfo.InvariantCulture),
        }).ToList();
        if (opts.Flags.Contains('p'))
        {
            foreach (var row in rows)
                stdout.WriteLine(string.Join(delim, row.Select(v => v.Replace(delim, "\\" + delim, StringComparison.Ordinal))));
            return 0;
        }
        string[] header = ["NAME", "MACADDRESS", "LINK", "TYPE", "MTU"];
        int[] widths = [14, 18, 14, 10, 0];
        for (int i = 0; i < widths.Length - 1; i++)
            widths[i] = Math.Max(widths[i], rows.Select(r => r[i].Length + 1).DefaultIfEmpty(0).Max());
        foreach (var row in rows.Prepend(header))
            stdout.WriteLine(string.Concat(row.Select((v, i) => i == row.Length - 1 ? v : v.PadRight(widths[i]))));
        return 0;
    }

    private int Add(List<string> args)
    {
        var opts = Parse(args, "l", "p");
        if (opts.Positional.Count is 0 or > 2)
            throw new UsageException("add needs a tag name and, for a physical tag, a mac address");
        var props = Properties(opts.Values.GetValueOrDefault('p'));
        string name = opts.Positional[0];
        var config = NicTagConfig.Load(configPath);
        bool local = opts.Flags.Contains('l');
        var tag = new NicTag(name, local ? NicTagKind.Local : NicTagKind.Physical)
        {
            Mac = opts.Positional.Count > 1 ? opts.Positional[1] : props.GetValueOrDefault("mac"),
            Link = props.GetValueOrDefault("link"),
            Mtu = props.TryGetValue("mtu", out var mtu) ? Mtu(mtu) : null,
        };
        if (local && (tag.Mac is not null || tag.Link is not null))
            throw new UsageException("an etherstub (-l) takes no mac or link");
        if (!local && tag.Mac is null && tag.Link is null)
            throw new UsageException($"nic tag \"{name}\": a mac address (or -p link=<ifname>) is required");
        config.Add(tag);
        Save(config);
        return 0;
    }

    private int Update(List<string> args)
    {
        var opts = Parse(args, "", "p");
        if (opts.Positional.Count is 0 or > 2)
            throw new UsageException("update needs a tag name");
        var props = Properties(opts.Values.GetValueOrDefault('p'));
        var config = NicTagConfig.Load(configPath);
        string name = opts.Positional[0];
        var tag = config.Find(name) ?? throw new SolsticeException(ErrorCode.NotFound, $"nic tag \"{name}\" does not exist");
        string? mac = opts.Positional.Count > 1 ? opts.Positional[1] : props.GetValueOrDefault("mac");
        if (tag.Kind == NicTagKind.Local && (mac is not null || props.ContainsKey("link")))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"nic tag \"{name}\" is an etherstub: it has no mac or link");
        tag = tag with
        {
            Mac = mac ?? tag.Mac,
            Link = props.GetValueOrDefault("link") ?? tag.Link,
            Mtu = props.TryGetValue("mtu", out var mtu) ? Mtu(mtu) : tag.Mtu,
        };
        config.Replace(tag);
        Save(config);
        return 0;
    }

    private int Delete(List<string> args)
    {
        var opts = Parse(args, "f", "");
        if (opts.Positional.Count != 1)
            throw new UsageException("delete needs one tag name");
        string name = opts.Positional[0];
        var config = NicTagConfig.Load(configPath);
        if (config.Find(name) is null)
            throw new SolsticeException(ErrorCode.NotFound, $"nic tag \"{name}\" does not exist");
        var vms = vmsUsingTag(name);
        if (vms.Count > 0 && !opts.Flags.Contains('f'))
            throw new SolsticeException(ErrorCode.Conflict, $"cannot delete nic tag \"{name}\": in use by VMs: {string.Join(", ", vms)}");
        config.Remove(name);
        Save(config);
        return 0;
    }

    private int Exists(List<string> args)
    {
        var opts = Parse(args, "l", "");
        if (opts.Positional.Count == 0)
            throw new UsageException("exists needs at least one tag name");
        var config = NicTagConfig.Load(configPath);
        bool all = true;
        foreach (string name in opts.Positional)
        {
            var tag = config.Find(name);
            if (tag is null || (opts.Flags.Contains('l') && tag.Kind != NicTagKind.Local))
                all = false;
        }
        return all ? 0 : 1;
    }

    private int Vms(List<string> args, TextWriter stdout)
    {
        var opts = Parse(args, "", "");
        if (opts.Positional.Count != 1)
            throw new UsageException("vms needs one tag name");
        if (NicTagConfig.Load(configPath).Find(opts.Positional[0]) is null)
            throw new SolsticeException(ErrorCode.NotFound, $"nic tag \"{opts.Positional[0]}\" does not exist");
        foreach (string vm in vmsUsingTag(opts.Positional[0]).Order(StringComparer.Ordinal))
            stdout.WriteLine(vm);
        return 0;
    }

    private void Save(NicTagConfig config)
    {
        config.Save(configPath);
        onChange?.Invoke(config);
    }

    private static int Mtu(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int mtu))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"mtu '{text}' is not a number");
        NicTag.CheckMtu(mtu);
        return mtu;
    }

    private static Dictionary<string, string> Properties(string? text)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text is null)
            return props;
        foreach (string pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new UsageException($"property '{pair}' is not key=value");
            string key = pair[..eq];
            if (key is not ("mac" or "mtu" or "link"))
                throw new UsageException($"unknown property '{key}'");
            props[key] = pair[(eq + 1)..];
        }
        return props;
    }

    private sealed record Options(HashSet<char> Flags, Dictionary<char, string> Values, List<string> Positional);

    private static Options Parse(List<string> args, string flags, string valued)
    {
        var o = new Options([], [], []);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.Length < 2 || a[0] != '-' || o.Positional.Count > 0)
            {
                o.Positional.Add(a);
                continue;
            }
            for (int j = 1; j < a.Length; j++)
            {
                char c = a[j];
                if (flags.Contains(c))
                {
                    o.Flags.Add(c);
                }
                else if (valued.Contains(c))
                {
                    string value = j + 1 < a.Length ? a[(j + 1)..] : ++i < args.Count ? args[i] : throw new UsageException($"-{c} needs a value");
                    o.Values[c] = value;
                    break;
                }
                else
                {
                    throw new UsageException($"unknown option -{c}");
                }
            }
        }
        return o;
    }
}
