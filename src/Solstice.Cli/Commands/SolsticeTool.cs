namespace Solstice.Cli.Commands;

/// <summary>The operator's tool: `solstice dataset ...`, `solstice pool ...`, `solstice setup`.</summary>
public static class SolsticeTool
{
    public const string Usage = """
        usage: solstice <command> [args]

        commands:
          setup                  import (creating if needed) the configured pools
          pool list|import|export|create|status
          dataset list|create|snapshot|rollback|clone|destroy|get|set|send|receive
          imgapi serve --listen <address:port> [--pool <name>]
                                 serve the pool's images over IMGAPI
          kstat [selector]...    the zones' caps and memory_cap kstats (kstat -p lines)
          trace [-z zone]... -e PROGRAM | -f FILE | -s SCRIPT
                                 bpftrace with zonename, restricted to zones
          top [interval]         a live per-zone view: CPU, memory, network, disk
          <tool> [args]          run vmadm, imgadm, fwadm, zlogin, zonememstat, prstat, vfsstat or ziostat by name
        """;

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0 || args[0] is "help" or "-h" or "--help")
        {
            (args.Count == 0 ? context.Error : context.Out).Write(Usage);
            return args.Count == 0 ? 2 : 0;
        }
        var rest = args.Skip(1).ToList();
        return args[0] switch
        {
            "dataset" => DatasetCommand.Run(rest, context),
            "pool" => PoolCommand.Run(rest, context),
            "setup" => SetupCommand.Run(rest, context),
            "imgapi" => ImgapiCommand.Run(rest, context),
            "kstat" => Observe.KstatCommand.Run(rest, context),
            "trace" => Observe.TraceCommand.Run(rest, context),
            "top" => Observe.TopCommand.Run(rest, context),
            _ => throw new UsageException($"unknown command '{args[0]}'\n{Usage}"),
        };
    }
}
