using Solstice.Core;
using Solstice.Storage;

namespace Solstice.Cli.Commands;

/// <summary>The node's configured pools, opened on demand.</summary>
public sealed class Nodes(NodeConfig config, PoolManager manager)
{
    public NodeConfig Config { get; } = config;

    public PoolManager Manager { get; } = manager;

    public static Nodes Load(CliContext context) => new(NodeConfig.Load(context.ConfigPath), PoolManager.Default);

    public StoragePool PoolFor(DatasetName name)
    {
        var pool = Config.Pools.FirstOrDefault(p => p.Name == name.Pool)
            ?? throw new SolsticeException(ErrorCode.NotFound, $"cannot open '{name}': no such pool '{name.Pool}'");
        return Manager.Open(pool);
    }

    public IEnumerable<StoragePool> ImportedPools() =>
        Config.Pools.Where(Manager.IsImported).Select(Manager.Open);
}
