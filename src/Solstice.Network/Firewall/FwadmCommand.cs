using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;

namespace Solstice.Network.Firewall;

/// <summary>
/// The logic of fwadm (smartos-interfaces.md §5.1) over a rule store, the VM inventory and a firewall
/// applier, so the multi-call CLI or the daemon can host it. Data goes to stdout and errors to stderr;
/// Run returns 0 on success, 1 on an error, 2 on a usage error.
/// </summary>
public sealed partial class FwadmCommand(
    IFirewallRuleStore store,
    IFirewallVmInventory inventory,
    IFirewallApplier applier,
    TimeProvider? time = null)
{
    public const string Usage = """
        Usage: fwadm [-h] [-j] [-v] <command> [options]

          add [-f <file>] | add [-e] [-g] [-O <owner uuid>] [--desc <description>] <rule>
          delete <rule uuid>
          disable <rule uuid>
          enable <rule uuid>
          get <rule uuid>
          list [-j] [-p [-d <char>]] [-o <fields>]
          update [-f <file>] | update <rule uuid> [-e] [-g] [-O <owner uuid>] [--desc <description>] <rule>
          vms <rule uuid>
          rules <vm uuid>
          vm-rules <vm uuid>
          start <vm uuid>
          stop <vm uuid>
          status [-v] <vm uuid>

        """;

    private TextWriter _out = TextWriter.Null;
    private TextWriter _err = TextWriter.Null;
    private TextReader? _in;
    private FwadmOptions _options = new();

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        _out = stdout;
        _err = stderr;
        _in = stdin;
        try
        {
            _options = FwadmOptions.Parse(args);
            var positional = _options.Positional;
            if (positional.Count == 0 || positional[0] == "help" || (_options.Has("h") && positional.Count <= 1))
            {
                if (positional.Count == 0 && !_options.Has("h"))
                    throw new FwadmUsageException("no command given");
                _out.Write(Usage);
                return 0;
            }
            var rest = positional.Skip(1).ToList();
            return positional[0] switch
            {
                "add" => Add(rest),
                "update" => Update(rest),
                "delete" => Delete(rest),
                "enable" => EnableDisable(rest, enabled: true),
                "disable" => EnableDisable(rest, enabled: false),
                "get" => Get(rest),
                "list" => List(),
                "vms" => Vms(rest),
                "rules" or "vm-rules" => VmRules(rest),
                "start" => StartStop(rest, enabled: true),
                "stop" => StartStop(rest, enabled: false),
                "status" => Status(rest),
                "add-rvm" or "delete-rvm" or "get-rvm" or "list-rvms" or "rvm-rules" or "stats" =>
                    throw new SolsticeException(ErrorCode.NotSupported, $"fwadm {positional[0]} is not supported on this node"),
                _ => throw new FwadmUsageException($"unknown command: \"{positional[0]}\""),
            };
        }
        catch (FwadmUsageException ex)
        {
            _err.WriteLine(ex.Message);
            _err.Write(Usage);
            return ExitCodes.Usage;
        }
        catch (FwRuleException ex)
        {
            WriteErrors(ex.Errors.Select(e => e.Message).ToList());
            return ExitCodes.Error;
        }
        catch (SolsticeException ex)
        {
            WriteErrors([ex.Message]);
            return ExitCodes.Error;
        }
        catch (JsonException ex)
        {
            WriteErrors([$"Invalid JSON payload: {ex.Message}"]);
            return ExitCodes.Error;
        }
    }

    private bool Json => _options.Has("j");

    private bool Verbose => _options.Has("v");

    private bool DryRun => _options.Has("dryrun");

    private void WriteErrors(IReadOnlyList<string> messages)
    {
        if (Json)
        {
            var errors = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["message"] = m }).ToArray());
            _err.WriteLine(VmJson.Stringify(new JsonObject { ["errors"] = errors }, indented: true));
            return;
        }
        foreach (string message in messages)
            _err.WriteLine(message);
    }

    /// <summary>fwadm exits 1 (not 2) for a missing or malformed uuid argument (cli.js validateUUID).</summary>
    private static string UuidArgument(List<string> args)
    {
        if (args.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Error: missing UUID");
        if (!FwRuleValues.IsUuid(args[0]))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Error: invalid UUID \"{args[0]}\"");
        return args[0];
    }

    private FirewallPolicy Policy() => new(store.List(), inventory.ListVms());

    private void WriteJson(JsonNode node) => _out.WriteLine(VmJson.Stringify(node, indented: true));

    private int Get(List<string> args)
    {
        string uuid = UuidArgument(args);
        var rule = store.Get(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule \"{uuid}\"");
        WriteJson(rule.ToJson());
        return 0;
    }

    private int Vms(List<string> args)
    {
        string uuid = UuidArgument(args);
        var rule = store.Get(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule \"{uuid}\"");
        var vms = Policy().AffectedVms(rule);
        if (Json)
            WriteJson(new JsonArray(vms.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()));
        else
            _out.WriteLine(string.Join('\n', vms));
        return 0;
    }

    private int VmRules(List<string> args)
    {
        string uuid = UuidArgument(args);
        DisplayRules(Policy().RulesForVm(uuid));
        return 0;
    }

    private int StartStop(List<string> args, bool enabled)
    {
        string uuid = UuidArgument(args);
        inventory.SetFirewallEnabled(uuid, enabled);
        applier.Apply([uuid]);
        if (Json)
            WriteJson(new JsonObject { ["result"] = "success" });
        else
            _out.WriteLine($"Firewall {(enabled ? "started" : "stopped")} for VM {uuid}");
        return 0;
    }

    private int Status(List<string> args)
    {
        string uuid = UuidArgument(args);
        var status = applier.GetStatus(uuid);
        if (Json)
        {
            WriteJson(new JsonObject { ["running"] = status.Running });
        }
        else if (Verbose)
        {
            _out.WriteLine($"running: {(status.Running ? "true" : "false")}");
            foreach (var (key, value) in status.Details)
                _out.WriteLine($"{key}: {value}");
        }
        else
        {
            _out.WriteLine(status.Running ? "running" : "stopped");
        }
        return 0;
    }
}
