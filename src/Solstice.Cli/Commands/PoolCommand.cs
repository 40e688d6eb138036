using Solstice.Core;
using Solstice.Storage;

namespace Solstice.Cli.Commands;

/// <summary>`solstice pool`: list, import, export and create the node's pools (zpool's role).</summary>
public static class PoolCommand
{
    public const string Usage = """
        usage: solstice pool <verb> ...
          list [-H]                 configured pools and whether they are imported
          import [name]...          import (the loop-file pool is created on first import)
          export <name>             unmount
          create <name> --device <dev> [--mountpoint <dir>]
          status [name]             driver and its capabilities
        """;

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
            throw new UsageException($"missing verb\n{Usage}");
        var nodes = Nodes.Load(context);
        var rest = args.Skip(1).ToList();
        switch (args[0])
        {
            case "list":
            {
                var a = Arguments.Parse(rest, "H", "");
                var rows = nodes.Config.Pools.Select(p => (IReadOnlyList<string>)
                    [p.Name, p.Driver, nodes.Manager.IsImported(p) ? "ONLINE" : "EXPORTED", p.Mountpoint, p.File ?? p.Device ?? "-"]).ToList();
                context.Out.Write(TextTable.Render(["NAME", "DRIVER", "HEALTH", "MOUNTPOINT", "SOURCE"], rows, a.Has('H')));
                return 0;
            }
            case "import":
            {
                var names = rest.Count > 0 ? rest : nodes.Config.Pools.Select(p => p.Name).ToList();
                foreach (string name in names)
                    nodes.Manager.Import(nodes.Config.Pool(name));
                return 0;
            }
            case "export":
                if (rest.Count != 1)
                    throw new UsageException("export takes one pool name");
                nodes.Manager.Export(nodes.Config.Pool(rest[0]));
                return 0;
            case "create":
                return Create(rest, nodes);
            case "status":
            {
                foreach (var config in rest.Count > 0 ? rest.Select(nodes.Config.Pool) : nodes.Config.Pools)
                {
                    var pool = nodes.Manager.Open(config);
                    var info = pool.Driver.Info;
                    context.Out.WriteLine($"  pool: {config.Name}\n driver: {info.Name}\n mount: {pool.MountPoint}\n source: {config.File ?? config.Device ?? "-"}");
                    context.Out.WriteLine($" quotas: {(info.Quotas ? "yes" : "no")}\n cheap snapshots: {(info.CheapSnapshots ? "yes" : "no")}\n incremental send: {(info.IncrementalSend ? "yes" : "no")}\n  notes: {info.Notes}\n");
                }
                return 0;
            }
            default:
                throw new UsageException($"unknown verb '{args[0]}'\n{Usage}");
        }
    }

    private static int Create(List<string> rest, Nodes nodes)
    {
        if (rest.Count < 3 || rest[1] != "--device")
            throw new UsageException("usage: pool create <name> --device <dev> [--mountpoint <dir>]");
        var config = new PoolConfig { Name = rest[0], Device = rest[2], Mountpoint = $"/{rest[0]}" };
        if (rest.Count >= 5 && rest[3] == "--mountpoint")
            config.Mountpoint = rest[4];
        if (nodes.Config.Pools.Any(p => p.Name == config.Name && (p.File is not null || p.Device is not null)))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"cannot create '{config.Name}': pool already exists");
        nodes.Manager.CreateOnDevice(config);
        nodes.Config.Pools.RemoveAll(p => p.Name == config.Name);
        nodes.Config.Pools.Add(config);
        nodes.Config.Save(nodes.Config.SourcePath!);
        return 0;
    }
}
