using System.Globalization;
using Solstice.Core;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Cli.Commands;

/// <summary>`solstice dataset`: zfs(8)'s verbs, output formats and exit codes over the pool's driver.</summary>
public static class DatasetCommand
{
    public const string Usage = """
        usage: solstice dataset <verb> ...
          list [-rHp] [-d depth] [-t type,...] [-o field,...] [-s field]... [-S field]... [name]...
          create [-p] [-o quota=<size>] <dataset>
          snapshot [-r] <dataset>@<name>...
          rollback [-r] <snapshot>
          clone <snapshot> <dataset>
          destroy [-r] <dataset|snapshot>
          get [-rHp] [-d depth] [-o field,...] [-t type,...] [-s source,...] <property[,...]|all> [dataset]...
          set quota=<size|none> <dataset>
          send [-i <snapshot>] <snapshot>          (stream to stdout)
          receive <dataset>                        (stream from stdin)
        fields: name type used avail referenced mountpoint quota creation origin
        """;

    private static readonly string[] s_allProperties = ["type", "creation", "used", "available", "referenced", "quota", "mountpoint", "origin"];

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
            throw new UsageException($"missing verb\n{Usage}");
        var rest = args.Skip(1).ToList();
        return args[0] switch
        {
            "list" => List(rest, context),
            "create" => Create(rest, context),
            "snapshot" or "snap" => Snapshot(rest, context),
            "rollback" => Rollback(rest, context),
            "clone" => Clone(rest, context),
            "destroy" => Destroy(rest, context),
            "get" => Get(rest, context),
            "set" => Set(rest, context),
            "send" => Send(rest, context),
            "receive" or "recv" => Receive(rest, context),
            "help" or "-h" => Help(context),
            _ => throw new UsageException($"unknown verb '{args[0]}'\n{Usage}"),
        };
    }

    private static int Help(CliContext context)
    {
        context.Out.Write(Usage);
        return 0;
    }

    private static int List(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "rHp", "tosSd");
        var (filesystems, snapshots) = Types(a.Value('t'), a.Positional.Any(p => p.Contains('@')) ? "snapshot" : "filesystem");
        string[] fields = a.Values('o').SelectMany(o => o.Split(',')).ToArray();
        if (fields.Length == 0)
            fields = ["name", "used", "avail", "refer", "mountpoint"];
        foreach (string field in fields)
            _ = Header(field);
        var rows = Select(a, Nodes.Load(context), a.Positional, filesystems, snapshots);
        var keys = a.Values('s').Select(k => (Key: k, Descending: false)).Concat(a.Values('S').Select(k => (Key: k, Descending: true))).ToList();
        foreach (var (key, _) in keys)
            _ = Canonical(key);
        if (keys.Count > 0)
        {
            IOrderedEnumerable<DatasetRow> ordered = keys[0].Descending
                ? rows.OrderByDescending(r => SortKey(r, keys[0].Key), SortKeyComparer.Instance)
                : rows.OrderBy(r => SortKey(r, keys[0].Key), SortKeyComparer.Instance);
            foreach (var (key, descending) in keys.Skip(1))
                ordered = descending ? ordered.ThenByDescending(r => SortKey(r, key), SortKeyComparer.Instance)
                    : ordered.ThenBy(r => SortKey(r, key), SortKeyComparer.Instance);
            rows = ordered.ToList();
        }
        var numeric = new HashSet<int>();
        for (int i = 0; i < fields.Length; i++)
            if (Canonical(fields[i]) is "used" or "available" or "referenced" or "quota")
                numeric.Add(i);
        var table = rows.Select(r => (IReadOnlyList<string>)fields.Select(f => Format(r, f, a.Has('p'))).ToList()).ToList();
        context.Out.Write(TextTable.Render(fields.Select(Header).ToList(), table, a.Has('H'), numeric));
        return 0;
    }

    /// <summary>zfs's -t: a comma list of filesystem, snapshot, volume, bookmark or all (this node has only the first two).</summary>
    private static (bool Filesystems, bool Snapshots) Types(string? option, string fallback)
    {
        bool filesystems = false, snapshots = false;
        foreach (string type in (option ?? fallback).Split(','))
        {
            switch (type)
            {
                case "filesystem" or "fs": filesystems = true; break;
                case "snapshot" or "snap": snapshots = true; break;
                case "all": filesystems = snapshots = true; break;
                case "volume" or "vol" or "bookmark": break;
                default: throw new UsageException($"invalid type '{type}'\nspecify a comma-separated list of types: filesystem, snapshot, volume, bookmark, all");
            }
        }
        return (filesystems, snapshots);
    }

    /// <summary>
    /// The rows zfs list and zfs get show: every dataset of every pool when none is named, else each
    /// named one, with its descendants under -r, or down to -d levels (a snapshot is one level below
    /// its dataset). exact (zfs get): a named dataset without -r or -d is just itself, not its snapshots.
    /// </summary>
    private static List<DatasetRow> Select(Arguments a, Nodes nodes, IEnumerable<string> names, bool filesystems, bool snapshots, bool exact = false)
    {
        int? depth = null;
        if (a.Value('d') is { } depthText)
            depth = int.TryParse(depthText, NumberStyles.None, CultureInfo.InvariantCulture, out int d) ? d
                : throw new UsageException($"invalid depth '{depthText}'");
        bool recursive = a.Has('r') || depth is not null;
        var rows = new List<DatasetRow>();
        var given = names.ToList();
        if (given.Count == 0)
        {
            foreach (var pool in nodes.ImportedPools())
                rows.AddRange(pool.List(null, recursive: true, filesystems, snapshots).Where(r => depth is null || Depth(r.Name) <= depth));
            return rows;
        }
        foreach (string text in given)
        {
            var name = DatasetName.Parse(text);
            var pool = nodes.PoolFor(name);
            if (name.IsSnapshot || exact && !recursive)
                rows.Add(pool.Describe(name));
            else
                rows.AddRange(pool.List(name, recursive, filesystems, snapshots)
                    .Where(r => depth is null || Depth(r.Name) - Depth(name.ToString()) <= depth));
        }
        return rows;
    }

    private static int Depth(string name) => name.Count(c => c == '/') + (name.Contains('@') ? 1 : 0);

    private static int Create(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "p", "o");
        if (a.Positional.Count != 1)
            throw new UsageException("create takes one dataset name");
        long? quota = null;
        foreach (string option in a.Values('o'))
            quota = ParseQuota(option, a.Positional[0]);
        var name = DatasetName.Parse(a.Positional[0]);
        Nodes.Load(context).PoolFor(name).Create(name, a.Has('p'), quota);
        return 0;
    }

    private static int Snapshot(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "r", "");
        if (a.Positional.Count == 0)
            throw new UsageException("missing snapshot argument");
        var nodes = Nodes.Load(context);
        using var revert = new Reverter();
        foreach (string text in a.Positional)
        {
            var name = DatasetName.Parse(text);
            if (!name.IsSnapshot)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create snapshot '{text}': missing '@' delimiter in snapshot name");
            var pool = nodes.PoolFor(name);
            // -r: the same snapshot of every descendant; a failure removes the ones made so far.
            var targets = a.Has('r')
                ? pool.List(name.WithoutSnapshot, recursive: true, filesystems: true, snapshots: false).Select(r => DatasetName.Parse(r.Name) with { Snapshot = name.Snapshot })
                : [name];
            foreach (var target in targets)
            {
                pool.Snapshot(target);
                revert.Add($"destroy {target}", () => pool.Destroy(target, recursive: false));
            }
        }
        revert.Success();
        return 0;
    }

    private static int Rollback(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "rRf", "");
        if (a.Positional.Count != 1)
            throw new UsageException("rollback takes one snapshot");
        var name = DatasetName.Parse(a.Positional[0]);
        Nodes.Load(context).PoolFor(name).Rollback(name, a.Has('r'));
        return 0;
    }

    private static int Clone(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "p", "");
        if (a.Positional.Count != 2)
            throw new UsageException("clone takes a snapshot and a target dataset");
        var source = DatasetName.Parse(a.Positional[0]);
        var target = DatasetName.Parse(a.Positional[1]);
        if (source.Pool != target.Pool)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create '{target}': source and target pools differ");
        Nodes.Load(context).PoolFor(source).Clone(source, target);
        return 0;
    }

    private static int Destroy(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "rRf", "");
        if (a.Positional.Count != 1)
            throw new UsageException("destroy takes one dataset or snapshot");
        var name = DatasetName.Parse(a.Positional[0]);
        Nodes.Load(context).PoolFor(name).Destroy(name, a.Has('r') || a.Has('R'));
        return 0;
    }

    private static readonly string[] s_getColumns = ["name", "property", "value", "received", "source"];
    private static readonly string[] s_sources = ["local", "default", "inherited", "temporary", "received", "none"];

    /// <summary>zfs get [-rHp] [-d depth] [-o field,...] [-t type,...] [-s source,...] all|property,... [dataset]...</summary>
    private static int Get(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "Hpr", "odts");
        if (a.Positional.Count < 1)
            throw new UsageException("missing property argument");
        string[] properties = a.Positional[0] == "all" ? s_allProperties : a.Positional[0].Split(',');
        foreach (string property in properties)
            _ = Header(property);
        string[] columns = a.Values('o').Count == 0 ? ["name", "property", "value", "source"]
            : a.Values('o').SelectMany(o => o.Split(',')).Select(c => c == "all" ? null : c).SelectMany(c => c is null ? s_getColumns : [c]).ToArray();
        foreach (string column in columns.Where(c => !s_getColumns.Contains(c)))
            throw new UsageException($"invalid field '{column}'\nfields are name, property, value, received, source or all");
        string[] sources = a.Values('s').SelectMany(o => o.Split(',')).ToArray();
        foreach (string source in sources.Where(c => !s_sources.Contains(c)))
            throw new UsageException($"invalid source '{source}'\nsources are local, default, inherited, temporary, received or none");
        var (filesystems, snapshots) = Types(a.Value('t'), "all");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in Select(a, Nodes.Load(context), a.Positional.Skip(1), filesystems, snapshots, exact: true))
        {
            foreach (string property in properties)
            {
                string canonical = Canonical(property);
                string source = Source(row, canonical);
                if (sources.Length > 0 && !sources.Contains(source == "-" ? "none" : source))
                    continue;
                string[] cells = [row.Name, canonical, Format(row, canonical, a.Has('p')), "-", source];
                rows.Add(columns.Select(c => cells[Array.IndexOf(s_getColumns, c)]).ToList());
            }
        }
        context.Out.Write(TextTable.Render(columns.Select(c => c.ToUpperInvariant()).ToList(), rows, a.Has('H')));
        return 0;
    }

    /// <summary>Where a property's value comes from, as zfs get's SOURCE column says it.</summary>
    private static string Source(DatasetRow row, string property) => property switch
    {
        "quota" when row.Type == DatasetType.Snapshot => "-",
        "quota" => row.Quota is null ? "default" : "local",
        "mountpoint" when row.Type != DatasetType.Snapshot => "default",
        _ => "-",
    };

    private static int Set(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        if (a.Positional.Count < 2)
            throw new UsageException("set takes property=value and at least one dataset");
        var nodes = Nodes.Load(context);
        foreach (string text in a.Positional.Skip(1))
        {
            var name = DatasetName.Parse(text);
            long? quota = ParseQuota(a.Positional[0], text);
            nodes.PoolFor(name).SetQuota(name, quota);
        }
        return 0;
    }

    private static int Send(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "i");
        if (a.Positional.Count != 1)
            throw new UsageException("send takes one snapshot");
        if (ReferenceEquals(context, CliContext.Console) && !Console.IsOutputRedirected)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Error: Stream can not be written to a terminal.\nYou must redirect standard output.");
        var name = DatasetName.Parse(a.Positional[0]);
        using var output = context.OpenStandardOutput();
        Nodes.Load(context).PoolFor(name).Send(name, a.Value('i'), output);
        return 0;
    }

    private static int Receive(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "Fuv", "");
        if (a.Positional.Count != 1)
            throw new UsageException("receive takes one dataset");
        if (ReferenceEquals(context, CliContext.Console) && !Console.IsInputRedirected)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Error: Backup stream can not be read from a terminal.\nYou must redirect standard input.");
        var name = DatasetName.Parse(a.Positional[0]);
        using var input = context.OpenStandardInput();
        var received = Nodes.Load(context).PoolFor(name).Receive(name, input);
        if (a.Has('v'))
            context.Error.WriteLine($"received {received}");
        return 0;
    }

    private static long? ParseQuota(string assignment, string dataset)
    {
        int eq = assignment.IndexOf('=');
        if (eq < 0)
            throw new UsageException($"missing '=' for property argument '{assignment}'");
        string property = assignment[..eq];
        string value = assignment[(eq + 1)..];
        if (property is not ("quota" or "refquota"))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot set property for '{dataset}': invalid property '{property}'");
        if (value is "none" or "0")
            return null;
        if (!ByteSize.TryParse(value, out long bytes))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot set property for '{dataset}': bad numeric value '{value}'");
        return bytes;
    }

    internal static string Canonical(string field) => field switch
    {
        "avail" or "available" => "available",
        "refer" or "referenced" or "ref" => "referenced",
        "name" or "type" or "used" or "mountpoint" or "quota" or "creation" or "origin" or "refquota" => field == "refquota" ? "quota" : field,
        _ => throw new UsageException($"bad property list: invalid property '{field}'"),
    };

    private static string Header(string field) => Canonical(field) switch
    {
        "available" => "AVAIL",
        "referenced" => "REFER",
        string c => c.ToUpperInvariant(),
    };

    internal static string Format(DatasetRow row, string field, bool parsable)
    {
        string Size(long? bytes, string none) =>
            bytes is not { } b ? none : parsable ? b.ToString(CultureInfo.InvariantCulture) : ByteSize.Format(b);
        return Canonical(field) switch
        {
            "name" => row.Name,
            "type" => row.Type == DatasetType.Snapshot ? "snapshot" : "filesystem",
            "used" => Size(row.Used, "-"),
            "available" => Size(row.Available, "-"),
            "referenced" => Size(row.Referenced, "-"),
            "quota" => row.Type == DatasetType.Snapshot ? "-" : Size(row.Quota, parsable ? "0" : "none"),
            "mountpoint" => row.MountPoint ?? "-",
            "origin" => row.Origin ?? "-",
            "creation" => parsable
                ? row.Creation.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
                : row.Creation.ToLocalTime().ToString("ddd MMM d HH:mm yyyy", CultureInfo.InvariantCulture),
            _ => "-",
        };
    }

    private static object SortKey(DatasetRow row, string field) => Canonical(field) switch
    {
        "used" => row.Used,
        "available" => row.Available ?? -1,
        "referenced" => row.Referenced,
        "quota" => row.Quota ?? 0,
        "creation" => row.Creation.ToUnixTimeMilliseconds(),
        _ => Format(row, field, parsable: true),
    };

    private sealed class SortKeyComparer : IComparer<object>
    {
        public static readonly SortKeyComparer Instance = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (long a, long b) => a.CompareTo(b),
            (string a, string b) => string.CompareOrdinal(a, b),
            _ => 0,
        };
    }
}
