using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands;

/// <summary>
/// fwadm and nictagadm run inside solsticed, the single writer of rules and nic tags; this
/// relays argv (and fwadm's `-f` payload, read here so relative paths mean the caller's directory)
/// and prints what the daemon's command printed, with its exit code.
/// </summary>
public static class RelayTool
{
    public static int Fwadm(IReadOnlyList<string> args, CliContext context) => Relay(NodeOps.Fwadm, args, context, filePayload: true);

    // nictagadm's -f (delete -f) is a flag, not a payload file.
    public static int Nictagadm(IReadOnlyList<string> args, CliContext context) => Relay(NodeOps.Nictagadm, args, context, filePayload: false);

    private static int Relay(string op, IReadOnlyList<string> args, CliContext context, bool filePayload)
    {
        var argv = args.ToList();
        string? stdin = null;
        int f = filePayload ? argv.IndexOf("-f") : -1;
        if (f >= 0 && f + 1 < argv.Count)
        {
            string source = argv[f + 1];
            if (source == "-")
            {
                using var reader = new StreamReader(context.OpenStandardInput());
                stdin = reader.ReadToEnd();
            }
            else
            {
                stdin = File.Exists(source) ? File.ReadAllText(source)
                    : throw new SolsticeException(ErrorCode.NotFound, $"{op}: {source}: no such file");
                argv[f + 1] = "-";
            }
        }
        var request = new JsonObject { ["argv"] = new JsonArray(argv.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()) };
        if (stdin is not null)
            request["stdin"] = stdin;
        using var client = NodeClient.Connect(context.SocketPath);
        var result = client.Call(op, request)!;
        context.Out.Write(result["stdout"]!.GetValue<string>());
        context.Error.Write(result["stderr"]!.GetValue<string>());
        return result["code"]!.GetValue<int>();
    }
}
