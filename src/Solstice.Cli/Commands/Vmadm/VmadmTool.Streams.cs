using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands.Vmadm;

public static partial class VmadmTool
{
    /// <summary>vmadm events [-f] [-j] [-r] [uuid]: one line per VM change until interrupted.</summary>
    private static int Events(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "fjr", "");
        string? uuid = a.Positional.Count > 0 ? RequireUuid(a.Positional, "events") : null;
        using var client = Connect(context);
        var request = new JsonObject();
        if (uuid is not null)
            request["uuid"] = uuid;
        client.Send(Core.Protocol.NodeProtocol.Request(NodeOps.VmEvents, request));
        Core.Protocol.NodeProtocol.Unwrap(client.ReadLine() ?? throw Solstice.Cli.Node.NodeClient.Closed());
        if (a.Has('r'))
        {
            var ready = new VmEvent(VmEvent.Ready, DateTimeOffset.UtcNow, null, null);
            context.Out.WriteLine(a.Has('j') ? VmEventFormatter.FormatJson(ready) : VmEventFormatter.FormatText(ready, a.Has('f')));
            context.Out.Flush();
        }
        while (client.ReadLine() is { } message)
        {
            string line = a.Has('j') ? VmJson.Stringify(message["json"]) : message[a.Has('f') ? "full" : "text"]!.GetValue<string>();
            context.Out.WriteLine(line);
            context.Out.Flush();
        }
        return 0;
    }

    /// <summary>vmadm console: the zone's console, interactive; CTRL-] detaches.</summary>
    private static int Console(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        string uuid = RequireUuid(a.Positional, "console");
        return Node.ConsoleClient.Attach(uuid, context, $"[Connected to zone '{uuid}' console; CTRL-] to detach]");
    }
}
