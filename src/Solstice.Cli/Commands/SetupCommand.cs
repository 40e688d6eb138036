namespace Solstice.Cli.Commands;

/// <summary>`solstice setup`: brings the node's storage online; the quick start's first step.</summary>
public static class SetupCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var nodes = Nodes.Load(context);
        foreach (var config in nodes.Config.Pools)
        {
            var pool = nodes.Manager.Import(config);
            context.Error.WriteLine($"pool '{config.Name}' online at {pool.MountPoint} ({pool.Driver.Info.Name}, source {config.File ?? config.Device ?? config.Mountpoint})");
        }
        return 0;
    }
}
