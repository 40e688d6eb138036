using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands;

/// <summary>
/// zlogin [-C] [-t|-T] &lt;uuid|alias&gt; [command [args...]]: a shell (on a pty when stdin is a
/// terminal) or one command line run by the zone's /bin/sh, with its exit code passed through. The
/// daemon supplies the runtime's exec argv, so the zone's limits, capabilities and seccomp
/// profile apply to what zlogin runs; zlogin runs it with its own stdio.
/// </summary>
public static class ZloginTool
{
    public const string Usage = "usage: zlogin [-C] [-t|-T] <uuid|alias> [command [argument ...]]";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        int i = 0;
        bool console = false, forceTty = false, noTty = false;
        for (; i < args.Count && args[i].StartsWith('-') && args[i].Length > 1; i++)
        {
            foreach (char c in args[i][1..])
            {
                switch (c)
                {
                    case 'C': console = true; break;
                    case 't': forceTty = true; break;
                    case 'T': noTty = true; break;
                    case 'Q' or 'l': break;
                    default: throw new UsageException($"illegal option -- {c}\n{Usage}");
                }
            }
        }
        if (i >= args.Count)
            throw new UsageException(Usage);
        string uuid = Resolve(args[i], context);
        var command = args.Skip(i + 1).ToList();
        if (console)
            return ConsoleClient.Attach(uuid, context, $"[Connected to zone '{uuid}' console; ~. to disconnect]");
        bool interactive = command.Count == 0 && !System.Console.IsInputRedirected;
        bool tty = !noTty && (forceTty || interactive);
        using var client = NodeClient.Connect(context.SocketPath);
        var argv = client.Call(NodeOps.VmExec, new JsonObject
        {
            ["uuid"] = uuid,
            ["tty"] = tty,
            ["argv"] = new JsonArray(ZoneArgv(command).Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
        }) as JsonArray;
        var info = new ProcessStartInfo(argv![0]!.GetValue<string>()) { UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
            info.ArgumentList.Add(arg!.GetValue<string>());
        using var process = Process.Start(info) ?? throw new SolsticeException(ErrorCode.BackendFailed, "zlogin: could not start the runtime");
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>
    /// What runs in the zone: a login shell, or, as SmartOS's zlogin does (su root -c), the
    /// arguments joined with spaces and handed to the shell, so pipes and quoting are the shell's and
    /// a missing command is the shell's "sh: x: not found" with exit 127 (argv[0] "sh", found on the
    /// zone's PATH, so the shell names itself as SmartOS's does).
    /// </summary>
    public static IReadOnlyList<string> ZoneArgv(IReadOnlyList<string> command) =>
        command.Count == 0 ? ["/bin/sh", "-l"] : ["sh", "-c", string.Join(' ', command)];

    /// <summary>A uuid as given, or the one VM whose alias matches.</summary>
    private static string Resolve(string target, CliContext context)
    {
        if (Core.Vm.VmValueRules.HasUuidShape(target))
            return target;
        using var client = NodeClient.Connect(context.SocketPath);
        var result = client.Call(NodeOps.VmLookup, new JsonObject
        {
            ["filters"] = new JsonArray(JsonValue.Create($"alias={target}")),
        });
        var uuids = result!["text"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return uuids.Length switch
        {
            1 => uuids[0],
            0 => throw new SolsticeException(ErrorCode.NotFound, $"zlogin: {target}: No such zone configured"),
            _ => throw new SolsticeException(ErrorCode.Conflict, $"zlogin: alias '{target}' matches {uuids.Length} zones; use the uuid"),
        };
    }
}
