using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands.Vmadm;

/// <summary>
/// vmadm: SmartOS's VM tool, a thin client of solsticed. Data goes to stdout, messages to
/// stderr; exit 0 ok, 1 error, 2 usage (smartos-interfaces.md §1.1).
/// </summary>
public static partial class VmadmTool
{
    public const string Usage = """
        Usage: vmadm <command> [options]

          create [-f <filename>]
          create-snapshot <uuid> <snapname>
          console <uuid>
          delete <uuid>
          delete-snapshot <uuid> <snapname>
          events [-f] [-j] [-r] [uuid]
          get <uuid>
          info <uuid> [type,...]
          kill [-s SIG|-SIG] <uuid>
          list [-p] [-H] [-h] [-o field,...] [-s field,...] [field=value ...]
          lookup [-j|-1] [-o field,...] [field=value ...]
          reboot <uuid> [-F]
          rollback-snapshot <uuid> <snapname>
          start <uuid>
          stop <uuid> [-F] [-t timeout]
          update <uuid> [-f <filename>]
          update <uuid> property=value [property=value ...]
          validate create [-f <filename>]
          validate update <brand> [-f <filename>]
        """;

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
            throw new UsageException($"no command given\n{Usage}");
        if (args[0] is "help" or "-h" or "-?" or "--help")
        {
            context.Out.Write(Usage);
            return 0;
        }
        if (Environment.UserName != "root" && context.ConfigPath is null)
        {
            context.Error.WriteLine("FATAL: cannot run because: must be root");
            return ExitCodes.Usage;
        }
        var rest = args.Skip(1).Where(a => a is not ("-v" or "--verbose" or "-d" or "--debug")).ToList();
        return args[0] switch
        {
            "create" => Create(rest, context),
            "get" or "json" => Get(rest, context),
            "list" => List(rest, context),
            "lookup" => Lookup(rest, context),
            "update" => Update(rest, context),
            "start" or "boot" => Lifecycle(NodeOps.VmStart, rest, context, "F", ""),
            "stop" or "halt" => Lifecycle(NodeOps.VmStop, rest, context, "F", "t"),
            "reboot" => Lifecycle(NodeOps.VmReboot, rest, context, "F", ""),
            "kill" => Kill(rest, context),
            "delete" or "destroy" => Delete(rest, context),
            "create-snapshot" => Snapshot(NodeOps.VmSnapshotCreate, rest, context, "Created snapshot {1} for VM {0}"),
            "rollback-snapshot" => Snapshot(NodeOps.VmSnapshotRollback, rest, context, "Rolled back VM {0} to snapshot {1}"),
            "delete-snapshot" => Snapshot(NodeOps.VmSnapshotDelete, rest, context, "Deleted snapshot {1} for VM {0}"),
            "validate" => Validate(rest, context),
            "events" => Events(rest, context),
            "console" => Console(rest, context),
            "info" => Info(rest, context),
            "sysrq" or "send" or "receive" or "recv" or "reprovision" or "install" =>
                throw new SolsticeException(ErrorCode.NotSupported, $"vmadm {args[0]} is not supported on this node yet"),
            _ => throw new UsageException($"Invalid command: \"{args[0]}\".\n{Usage}"),
        };
    }

    private static NodeClient Connect(CliContext context) => NodeClient.Connect(context.SocketPath);

    /// <summary>One request; the warnings its reply carries (create and update: properties dropped, as VM.js logs them) go to stderr.</summary>
    private static JsonNode? Call(CliContext context, string op, JsonObject args)
    {
        using var client = Connect(context);
        return client.Call(op, args, context.Error.WriteLine);
    }

    /// <summary>vmadm's getUUID: exactly 36 characters with dashes at 8, 13, 18 and 23.</summary>
    internal static string RequireUuid(IReadOnlyList<string> positional, string command)
    {
        string? uuid = positional.Count > 0 ? positional[0] : null;
        if (!VmValueRules.HasUuidShape(uuid))
            throw new UsageException($"Invalid or missing UUID for {command}");
        return uuid;
    }

    /// <summary>
    /// A JSON payload from -f file (or -f -) or stdin; stdin must not be a terminal. The text is read strictly
    /// (<see cref="StrictJson"/>): a repeated key or a lone surrogate is refused here with a sentence.
    /// </summary>
    internal static JsonObject ReadPayload(string? file, CliContext context, string verb)
    {
        string text;
        if (file is not null && file != "-")
        {
            if (Directory.Exists(file))
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Error reading: {file}: it is a directory, not a JSON payload file");
            if (!File.Exists(file))
                throw new SolsticeException(ErrorCode.NotFound, $"File: {file} does not exist.");
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SolsticeException(ErrorCode.InvalidArgument,
                    $"Error reading: {file}: {(ex is UnauthorizedAccessException ? "permission denied" : "the file could not be read")}");
            }
        }
        else
        {
            if (ReferenceEquals(context, CliContext.Console) && !System.Console.IsInputRedirected)
                throw new UsageException($"Will not {verb} from stdin when stdin is a tty.");
            using var reader = new StreamReader(context.OpenStandardInput());
            text = reader.ReadToEnd();
        }
        return StrictJson.ParseObject(text, "payload");
    }
}
