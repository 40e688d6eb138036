using System.Globalization;
using Solstice.Core;
using Solstice.Storage;

namespace Solstice.Cli.Commands;

/// <summary>`solstice dataset`: zfs(8)'s verbs, output formats and exit codes over the pool's driver.</summary>
public static class DatasetCommand
{
    public const string Usage = """
        usage: solstice dataset <verb> ...
          list [-rHp] [-t filesystem|snapshot|all] [-o field,...] [-s field] [-S field] [name]...
          create [-p] [-o quota=<size>] <dataset>
          snapshot <dataset>@<name>...
          rollback [-r] <snapshot>
          clone <snapshot> <dataset>
          destroy [-r] <dataset|snapshot>
          get [-Hp] <property[,...]|all> <dataset>...
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
        string type = a.Value('t') ?? (a.Positional.Any(p => p.Contains('@')) ? "snapshot" : "filesystem");
        bool filesystems = type is "filesystem" or "all" or "fs";
        bool snapshots = type is "snapshot" or "snap" or "all";
        if (!filesystems && !snapshots)
            throw new UsageException($"invalid type '{type}'");
        string[] fields = (a.Value('o') ?? "name,used,avail,refer,mountpoint").Split(',');
        foreach (string field in fields)
            _ = Header(field);
        var nodes = Nodes.Load(context);
        var rows = new List<DatasetRow>();
        if (a.Positional.Count == 0)
        {
            foreach (var pool in nodes.ImportedPools())
                rows.AddRange(pool.List(null, recursive: true, filesystems, snapshots));
        }
        foreach (string text in a.Positional)
        {
            var name = DatasetName.Parse(text);
            var pool = nodes.PoolFor(name);
            if (name.IsSnapshot)
                rows.Add(pool.Describe(name));
            else
                rows.AddRange(pool.List(name, a.Has('r'), filesystems, snapshots));
        }
        if (a.Value('s') is { } ascending)
            rows = rows.OrderBy(r => SortKey(r, ascending), SortKeyComparer.Instance).ToList();
        if (a.Value('S') is { } descending)
            rows = rows.OrderByDescending(r => SortKey(r, descending), SortKeyComparer.Instance).ToList();
        var numeric = new HashSet<int>();
        for (int i = 0; i < fields.Length; i++)
            if (Canonical(fields[i]) is "used" or "available" or "referenced" or "quota")
                numeric.Add(i);
        var table = rows.Select(r => (IReadOnlyList<string>)fields.Select(f => Format(r, f, a.Has('p'))).ToList()).ToList();
        context.Out.Write(TextTable.Render(fields.Select(Header).ToList(), table, a.Has('H'), numeric));
        return 0;
    }

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
        var a = Arguments.Parse(args, "", "");
        if (a.Positional.Count == 0)
            throw new UsageException("missing snapshot argument");
        var nodes = Nodes.Load(context);
        foreach (string text in a.Positional)
        {
            var name = DatasetName.Parse(text);
            nodes.PoolFor(name).Snapshot(name);
        }
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

    private static int Get(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "Hpr", "o");
        if (a.Positional.Count < 2)
            throw new UsageException("get takes a property list and at least one dataset");
        string[] properties = a.Positional[0] == "all" ? s_allProperties : a.Positional[0].Split(',');
        foreach (string property in properties)
            _ = Header(property);
        var nodes = Nodes.Load(context);
        var rows = new List<IReadOnlyList<string>>();
        foreach (string text in a.Positional.Skip(1))
        {
            var name = DatasetName.Parse(text);
            var row = nodes.PoolFor(name).Describe(name);
            foreach (string property in properties)
            {
                string canonical = Canonical(property);
                string source = canonical is "quota" ? (row.Quota is null ? "default" : "local") : "-";
                rows.Add([row.Name, canonical, Format(row, canonical, a.Has('p')), source]);
            }
        }
        context.Out.Write(TextTable.Render(["NAME", "PROPERTY", "VALUE", "SOURCE"], rows, a.Has('H')));
        return 0;
    }

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
