using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Observability;

namespace Solstice.Cli.Commands.Observe;

/// <summary>
/// Zone aliases and brands from solsticed (vm.lookup -j -o uuid,alias,brand). When the daemon is
/// not running the tools still work, from the cgroups alone: uuids, and "-" for aliases.
/// </summary>
public sealed class DaemonZoneDirectory(string? socketPath) : IZoneDirectory
{
    private IReadOnlyDictionary<string, ZoneInfo>? _zones;

    public IReadOnlyDictionary<string, ZoneInfo> Zones() => _zones ??= Load();

    private Dictionary<string, ZoneInfo> Load()
    {
        var zones = new Dictionary<string, ZoneInfo>();
        try
        {
            var result = NodeClient.CallOnce(Solstice.Core.Protocol.NodeOps.VmLookup, new JsonObject
            {
                ["json"] = true,
                ["filters"] = new JsonArray(),
                ["fields"] = new JsonArray("uuid", "alias", "brand"),
            }, socketPath);
            if (JsonNode.Parse(result?["text"]?.GetValue<string>() ?? "[]") is JsonArray vms)
                foreach (var vm in vms.OfType<JsonObject>())
                    if (vm["uuid"]?.GetValue<string>() is { } uuid)
                        zones[uuid] = new ZoneInfo(uuid, vm["alias"]?.GetValue<string>(), vm["brand"]?.GetValue<string>());
        }
        catch (Exception ex) when (ex is SolsticeException or System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            // no daemon, or not allowed to ask it: names stay uuids
        }
        return zones;
    }
}
