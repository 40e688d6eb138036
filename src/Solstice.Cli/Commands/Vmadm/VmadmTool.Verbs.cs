using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands.Vmadm;

public static partial class VmadmTool
{
    private static int Create(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "f");
        var payload = ReadPayload(a.Value('f'), context, "create");
        var vm = Call(context, NodeOps.VmCreate, new JsonObject { ["payload"] = payload }) as JsonObject;
        context.Error.WriteLine($"Successfully created VM {vm?["uuid"]?.GetValue<string>()}");
        return 0;
    }

    private static int Get(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        string uuid = RequireUuid(a.Positional, "get");
        var vm = Call(context, NodeOps.VmGet, new JsonObject { ["uuid"] = uuid }) as JsonObject;
        context.Out.WriteLine(VmJson.Stringify(VmJson.SortedCopy(vm!), indented: true));
        return 0;
    }

    private static int List(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "pHh", "os");
        var request = new JsonObject
        {
            ["parsable"] = a.Has('p'),
            ["noHeader"] = a.Has('H'),
            ["forceHeader"] = a.Has('h'),
            ["filters"] = Strings(a.Positional),
        };
        if (a.Value('o') is { } columns)
            request["columns"] = Strings(VmListing.SplitFields(columns));
        if (a.Value('s') is { } sort)
            request["sort"] = Strings(VmListing.SplitFields(sort));
        var result = Call(context, NodeOps.VmList, request);
        context.Out.Write(result!["text"]!.GetValue<string>());
        return 0;
    }

    private static int Lookup(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "j1", "o");
        var request = new JsonObject
        {
            ["json"] = a.Has('j'),
            ["unique"] = a.Has('1'),
            ["filters"] = Strings(a.Positional),
        };
        if (a.Value('o') is { } fields)
            request["fields"] = Strings(VmListing.SplitFields(fields));
        var result = Call(context, NodeOps.VmLookup, request);
        context.Out.Write(result!["text"]!.GetValue<string>());
        return 0;
    }

    private static int Update(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "f");
        string uuid = RequireUuid(a.Positional, "update");
        var keyValues = a.Positional.Skip(1).ToList();
        var payload = keyValues.Count > 0 ? VmPayload.FromKeyValues(keyValues) : ReadPayload(a.Value('f'), context, "update");
        Call(context, NodeOps.VmUpdate, new JsonObject { ["uuid"] = uuid, ["payload"] = payload });
        context.Error.WriteLine($"Successfully updated VM {uuid}");
        return 0;
    }

    private static int Lifecycle(string op, IReadOnlyList<string> args, CliContext context, string flags, string valued)
    {
        var a = Arguments.Parse(args, flags, valued);
        string command = op[NodeOps.VmPrefix.Length..];
        string uuid = RequireUuid(a.Positional, command);
        var request = new JsonObject { ["uuid"] = uuid, ["force"] = a.Has('F') };
        if (a.Value('t') is { } timeout)
        {
            if (!double.TryParse(timeout, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds < 0)
                throw new UsageException($"Invalid timeout: \"{timeout}\"");
            request["timeout"] = seconds;
        }
        var result = Call(context, op, request);
        context.Error.WriteLine(result!["message"]!.GetValue<string>());
        return 0;
    }

    private static int Kill(IReadOnlyList<string> args, CliContext context)
    {
        int signal = 15;
        var rest = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "-s" && i + 1 < args.Count)
                signal = ParseSignal(args[++i]);
            else if (args[i].StartsWith('-') && args[i].Length > 1)
                signal = ParseSignal(args[i][1..]);
            else
                rest.Add(args[i]);
        }
        string uuid = RequireUuid(rest, "kill");
        var result = Call(context, NodeOps.VmKill, new JsonObject { ["uuid"] = uuid, ["signal"] = signal });
        context.Error.WriteLine(result!["message"]!.GetValue<string>());
        return 0;
    }

    private static int ParseSignal(string text)
    {
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
            name = name[3..];
        return name switch
        {
            "HUP" => 1, "INT" => 2, "QUIT" => 3, "KILL" => 9, "USR1" => 10, "USR2" => 12, "TERM" => 15,
            _ when int.TryParse(name, out int n) && n is > 0 and < 65 => n,
            _ => throw new UsageException($"Invalid signal: \"{text}\""),
        };
    }

    private static int Delete(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        string uuid = RequireUuid(a.Positional, "delete");
        Call(context, NodeOps.VmDelete, new JsonObject { ["uuid"] = uuid });
        context.Error.WriteLine($"Successfully deleted VM {uuid}");
        return 0;
    }

    private static int Snapshot(string op, IReadOnlyList<string> args, CliContext context, string message)
    {
        var a = Arguments.Parse(args, "", "");
        string uuid = RequireUuid(a.Positional, op[NodeOps.VmPrefix.Length..]);
        if (a.Positional.Count < 2)
            throw new UsageException("missing snapshot name");
        Call(context, op, new JsonObject { ["uuid"] = uuid, ["name"] = a.Positional[1] });
        context.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, message, uuid, a.Positional[1]));
        return 0;
    }

    /// <summary>
    /// vmadm validate create|update &lt;brand&gt;: VM.js validate, with the node's checks (zpool imported, image
    /// installed) when solsticed answers, else the payload alone. Invalid: the three arrays (bad_values,
    /// bad_properties, missing_properties) with SmartOS's names, or {"bad_brand": ...}, on stderr, exit 1.
    /// </summary>
    private static int Validate(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "f");
        if (a.Positional.Count == 0 || a.Positional[0] is not ("create" or "update"))
            throw new UsageException("Will not validate without a valid action.");
        bool create = a.Positional[0] == "create";
        if (!create && a.Positional.Count != 2)
            throw new UsageException("Will not validate without a valid action and brand.");
        string? brand = create ? null : a.Positional[1];
        var payload = ReadPayload(a.Value('f'), context, "validate");
        JsonObject verdict;
        try
        {
            var request = new JsonObject { ["action"] = a.Positional[0], ["payload"] = payload.DeepClone() };
            if (brand is not null)
                request["brand"] = brand;
            verdict = Call(context, NodeOps.VmValidate, request) as JsonObject
                ?? throw new SolsticeException(ErrorCode.Internal, "solsticed sent no validation result");
        }
        catch (SolsticeException ex) when (ex.Code == ErrorCode.Unavailable)
        {
            var local = VmValidator.Validate(payload, create ? VmAction.Create : VmAction.Update, create ? VmValidator.BrandOf(payload) : brand);
            verdict = new JsonObject { ["valid"] = local.IsValid, ["message"] = local.Message, ["errors"] = local.ToJson() };
        }
        if (verdict["valid"]?.GetValue<bool>() == true)
        {
            context.Error.WriteLine(verdict["message"]?.GetValue<string>());
            return 0;
        }
        context.Error.WriteLine(VmJson.Stringify(verdict["errors"], indented: true));
        return ExitCodes.Error;
    }

    private static int Info(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        string uuid = RequireUuid(a.Positional, "info");
        var vm = Call(context, NodeOps.VmGet, new JsonObject { ["uuid"] = uuid }) as JsonObject;
        throw new SolsticeException(ErrorCode.NotSupported,
            $"Unable to get info for vm from brand {vm?["brand"]?.GetValue<string>()}: info is only supported for HVM VMs");
    }

    private static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
