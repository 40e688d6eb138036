using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Core.Protocol;

namespace Solstice.Node;

/// <summary>
/// The daemon's operations, as the CLIs call them. Parsing arguments stays here; the VM service
/// does the work. List and lookup are rendered here, next to the data, so `vmadm list` moves
/// text rather than every VM object.
/// </summary>
public sealed class NodeApi(VmService vms, EventHub events, NodeNetwork? network = null)
{
    public IReadOnlyDictionary<string, RequestHandler> Handlers => new Dictionary<string, RequestHandler>
    {
        [NodeOps.Ping] = (_, _, _) => Task.FromResult<JsonNode?>(new JsonObject { ["pid"] = Environment.ProcessId, ["vms"] = vms.All().Count }),
        [NodeOps.VmCreate] = async (a, c, ct) => await vms.CreateAsync(Payload(a), c.Warn, ct),
        [NodeOps.VmGet] = (a, _, _) => Task.FromResult<JsonNode?>(vms.Get(Uuid(a))),
        [NodeOps.VmList] = (a, _, _) => Task.FromResult<JsonNode?>(new JsonObject { ["text"] = VmListing.List(vms.Listing(), ListOptions(a)) }),
        [NodeOps.VmLookup] = (a, _, _) => Task.FromResult<JsonNode?>(new JsonObject { ["text"] = VmListing.Lookup(vms.Listing(), LookupOptions(a)) }),
        [NodeOps.VmUpdate] = async (a, c, ct) => await vms.UpdateAsync(Uuid(a), Payload(a), c.Warn, ct),
        [NodeOps.VmValidate] = (a, _, _) => Task.FromResult<JsonNode?>(vms.Validate(
            a["action"]?.GetValue<string>() == "update" ? VmAction.Update : VmAction.Create, a["brand"]?.GetValue<string>(), Payload(a))),
        [NodeOps.VmStart] = async (a, _, ct) => Lifecycle(await vms.StartAsync(Uuid(a), ct)),
        [NodeOps.VmStop] = async (a, _, ct) => Lifecycle(await vms.StopAsync(Uuid(a), Flag(a, "force"), Timeout(a), ct)),
        [NodeOps.VmReboot] = async (a, _, ct) => Lifecycle(await vms.RebootAsync(Uuid(a), Flag(a, "force"), Timeout(a), ct)),
        [NodeOps.VmKill] = async (a, _, ct) => Lifecycle(await vms.KillAsync(Uuid(a), (int)(a["signal"]?.GetValue<long>() ?? 15), ct)),
        [NodeOps.VmDelete] = async (a, _, ct) => { await vms.DeleteAsync(Uuid(a), ct); return null; },
        [NodeOps.VmSnapshotCreate] = async (a, _, ct) => { await vms.CreateSnapshotAsync(Uuid(a), Name(a), ct); return null; },
        [NodeOps.VmSnapshotRollback] = async (a, _, ct) => { await vms.RollbackSnapshotAsync(Uuid(a), Name(a), ct); return null; },
        [NodeOps.VmSnapshotDelete] = async (a, _, ct) => { await vms.DeleteSnapshotAsync(Uuid(a), Name(a), ct); return null; },
        [NodeOps.VmExec] = (a, _, _) => Task.FromResult<JsonNode?>(ExecCommand(a)),
        [NodeOps.VmEvents] = StreamEventsAsync,
        [NodeOps.VmConsole] = ConsoleAsync,
        [NodeOps.Fwadm] = (a, _, _) => Task.FromResult<JsonNode?>(RunTool(a, (args, stdin, o, e) => Network.Fwadm(args, stdin, o, e, SetFirewallEnabled))),
        [NodeOps.Nictagadm] = (a, _, _) => Task.FromResult<JsonNode?>(RunTool(a, (args, _, o, e) => Network.Nictagadm(args, o, e))),
    };

    private JsonNode ExecCommand(JsonObject a)
    {
        string uuid = Uuid(a);
        var argv = (a["argv"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        var command = vms.ExecCommand(uuid, argv, Flag(a, "tty"));
        return new JsonArray(command.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
    }

    private async Task<JsonNode?> StreamEventsAsync(JsonObject args, NodeConnection connection, CancellationToken ct)
    {
        var reader = events.Subscribe();
        try
        {
            await connection.SendAsync(Core.Protocol.NodeProtocol.Success(), ct);
            string? only = a(args);
            await foreach (var evt in reader.ReadAllAsync(ct))
            {
                if (only is not null && evt["uuid"]?.GetValue<string>() != only)
                    continue;
                await connection.SendAsync(evt, ct);
            }
        }
        finally
        {
            events.Unsubscribe(reader);
        }
        return NodeServer.Streamed;

        static string? a(JsonObject args) => args["uuid"]?.GetValue<string>();
    }

    /// <summary>After the reply line the connection carries raw console bytes both ways.</summary>
    private async Task<JsonNode?> ConsoleAsync(JsonObject args, NodeConnection connection, CancellationToken ct)
    {
        string uuid = Uuid(args);
        vms.RequireConsole(uuid);
        await connection.SendAsync(Core.Protocol.NodeProtocol.Success(), ct);
        await vms.ConsoleAsync(uuid, connection.Stream, ct);
        return NodeServer.Streamed;
    }

    /// <summary>fwadm enable/disable: a vmadm update of firewall_enabled (fwadm runs synchronously on a pool thread).</summary>
    private void SetFirewallEnabled(string uuid, bool enabled) =>
        vms.UpdateAsync(uuid, new JsonObject { ["firewall_enabled"] = enabled }, CancellationToken.None).GetAwaiter().GetResult();

    private NodeNetwork Network => network ?? throw new SolsticeException(ErrorCode.Unavailable, "networking is not configured on this node");

    /// <summary>fwadm and nictagadm run in the daemon (the single writer of their state); the CLI only relays.</summary>
    private static JsonObject RunTool(JsonObject a, Func<IReadOnlyList<string>, string?, TextWriter, TextWriter, int> tool)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = tool(Strings(a, "argv"), a["stdin"]?.GetValue<string>(), output, error);
        return new JsonObject { ["code"] = code, ["stdout"] = output.ToString(), ["stderr"] = error.ToString() };
    }

    private static JsonObject Lifecycle(LifecycleResult result) =>
        new() { ["already"] = result.AlreadyDone, ["message"] = result.Message };

    private static string Uuid(JsonObject args)
    {
        string? uuid = args["uuid"]?.GetValue<string>();
        if (!VmValueRules.HasUuidShape(uuid))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid or missing UUID '{uuid}'");
        return uuid;
    }

    private static string Name(JsonObject args) =>
        args["name"]?.GetValue<string>() ?? throw new SolsticeException(ErrorCode.InvalidArgument, "missing snapshot name");

    /// <summary>
    /// The request's payload. Validation, which create, update and validate all begin with, reads
    /// it fully (<see cref="StrictJson.EnsureReadable"/>): a repeated key or a lone surrogate is an
    /// InvalidArgument sentence there, before anything else touches it.
    /// </summary>
    private static JsonObject Payload(JsonObject args) =>
        args["payload"] as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, "Invalid JSON payload: not an object");

    private static bool Flag(JsonObject args, string name) => args[name]?.GetValue<bool>() ?? false;

    private static TimeSpan Timeout(JsonObject args) => TimeSpan.FromSeconds(args["timeout"]?.GetValue<double>() ?? 60);

    private static IReadOnlyList<string> Strings(JsonObject args, string name) =>
        (args[name] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];

    private static VmListOptions ListOptions(JsonObject a)
    {
        var options = new VmListOptions
        {
            Parsable = Flag(a, "parsable"),
            NoHeader = Flag(a, "noHeader"),
            ForceHeader = Flag(a, "forceHeader"),
            Filters = Strings(a, "filters"),
        };
        if (a["columns"] is JsonArray)
            options = options with { Columns = Strings(a, "columns") };
        if (a["sort"] is JsonArray)
            options = options with { Sort = Strings(a, "sort") };
        return options;
    }

    private static VmLookupOptions LookupOptions(JsonObject a) => new()
    {
        Json = Flag(a, "json"),
        Unique = Flag(a, "unique"),
        Fields = a["fields"] is JsonArray ? Strings(a, "fields") : null,
        Filters = Strings(a, "filters"),
    };
}
