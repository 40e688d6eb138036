using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Network.Firewall;

public sealed partial class FwadmCommand
{
    private int Add(List<string> args)
    {
        var payloads = Payloads(args);
        string version = FirewallRule.NewVersion(time);
        var errors = new List<FwRuleError>();
        var rules = new List<FirewallRule>();
        foreach (var payload in payloads)
        {
            try
            {
                rules.Add(FirewallRule.FromPayload(payload, new FirewallRuleOptions { EnforceGlobal = true, Version = version }));
            }
            catch (FwRuleException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }
        if (errors.Count > 0)
            throw new FwRuleException(errors);
        // Re-adding an identical rule changes nothing; one with the same uuid but different content
        // replaces it, as fwadm's add does.
        var changing = rules.Where(r => store.Get(r.Uuid) is not { } old || !SameContent(old, r)).ToList();
        var before = changing.Select(r => store.Get(r.Uuid)).OfType<FirewallRule>().ToList();
        Commit(changing, before, deleted: []);
        return Report("Added", changing);
    }

    private int Update(List<string> args)
    {
        string? uuid = null;
        if (args.Count > 0 && !_options.Has("f"))
        {
            uuid = UuidArgument(args);
            args = args.Skip(1).ToList();
        }
        List<JsonObject> payloads;
        if (uuid is not null && args.Count == 0 && (_options.Has("e") || _options.Has("g") || _options.Has("O") || _options.Has("desc")))
            payloads = [ApplyFlags(new JsonObject())];
        else
            payloads = Payloads(args);
        if (uuid is not null && payloads.Count == 1)
            payloads[0]["uuid"] = uuid;
        string version = FirewallRule.NewVersion(time);
        var errors = new List<FwRuleError>();
        var updated = new List<FirewallRule>();
        var originals = new List<FirewallRule>();
        foreach (var payload in payloads)
        {
            if (payload["uuid"] is not JsonValue u || !u.TryGetValue(out string? ruleUuid))
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Missing UUID of rule: {payload.ToJsonString()}");
            var original = store.Get(ruleUuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {ruleUuid}");
            var merged = Merge(original, payload);
            try
            {
                var rule = FirewallRule.FromPayload(merged, new FirewallRuleOptions { EnforceGlobal = true, Version = version });
                if (!SameContent(original, rule))
                {
                    updated.Add(rule);
                    originals.Add(original);
                }
            }
            catch (FwRuleException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }
        if (errors.Count > 0)
            throw new FwRuleException(errors);
        Commit(updated, originals, deleted: []);
        return Report("Updated", updated);
    }

    private int EnableDisable(List<string> args, bool enabled)
    {
        if (args.Count == 0)
            throw new FwadmUsageException($"Must specify rules to {(enabled ? "enable" : "disable")}!");
        string version = FirewallRule.NewVersion(time);
        var changed = new List<FirewallRule>();
        var originals = new List<FirewallRule>();
        foreach (string arg in args)
        {
            string uuid = UuidArgument([arg]);
            var original = store.Get(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {uuid}");
            if (original.Enabled == enabled)
                continue;
            changed.Add(original with { Enabled = enabled, Version = version });
            originals.Add(original);
        }
        Commit(changed, originals, deleted: []);
        return Report(enabled ? "Enabled" : "Disabled", changed);
    }

    private int Delete(List<string> args)
    {
        if (args.Count == 0)
            throw new FwadmUsageException("Must specify rules to delete!");
        var rules = new List<FirewallRule>();
        foreach (string arg in args)
        {
            string uuid = UuidArgument([arg]);
            rules.Add(store.Get(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {uuid}"));
        }
        Commit([], [], rules);
        return Report("Deleted", rules);
    }

    /// <summary>
    /// Saves, then reloads the firewall of the VMs the rules touched before or after the change (all of
    /// them under --dryrun is nothing: no file is written and nothing is reloaded).
    /// </summary>
    private void Commit(List<FirewallRule> saved, List<FirewallRule> previous, List<FirewallRule> deleted)
    {
        var policy = Policy();
        _affected = saved.Concat(previous).Concat(deleted)
            .SelectMany(r => policy.AffectedVms(r)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (DryRun || saved.Count + deleted.Count == 0)
            return;
        foreach (var rule in saved)
        {
            if (store.Get(rule.Uuid) is null)
                store.Add(rule);
            else
                store.Update(rule);
        }
        foreach (var rule in deleted)
            store.Delete(rule.Uuid);
        applier.Apply(_affected);
    }

    private List<string> _affected = [];

    private int Report(string action, List<FirewallRule> rules)
    {
        if (Json)
        {
            var result = new JsonObject
            {
                ["vms"] = new JsonArray(_affected.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r.ToJson()).ToArray()),
            };
            WriteJson(result);
            return 0;
        }
        var lines = new List<string>();
        if (rules.Count > 0)
        {
            lines.Add($"{action} rules:");
            lines.AddRange(rules.Select(RuleLine));
        }
        if (Verbose)
        {
            lines.Add("");
            lines.Add("VMs affected:");
            lines.AddRange(_affected);
        }
        _out.WriteLine(string.Join('\n', lines));
        return 0;
    }

    /// <summary>fwadm's one-line rule summary: uuid, enabled padded to 7, text (cli.js ruleLine).</summary>
    public static string RuleLine(FirewallRule rule) => $"{rule.Uuid} {(rule.Enabled ? "true   " : "false  ")} {rule.Text}";

    private static bool SameContent(FirewallRule a, FirewallRule b) => (a with { Version = b.Version }).Equals(b);

    /// <summary>The payload fields over the stored rule's; switching between owner and global drops the other.</summary>
    private static JsonObject Merge(FirewallRule original, JsonObject payload)
    {
        var merged = original.ToJson();
        merged.Remove("version");
        bool both = payload.ContainsKey("owner_uuid") && payload.ContainsKey("global");
        if (!both && payload.ContainsKey("owner_uuid"))
            merged.Remove("global");
        if (!both && payload.ContainsKey("global"))
            merged.Remove("owner_uuid");
        foreach (var (key, value) in payload)
            merged[key] = value?.DeepClone();
        return merged;
    }

    /// <summary>The rule payloads of add/update: -f file ("-" is stdin), the words of the rule, or stdin.</summary>
    private List<JsonObject> Payloads(List<string> args)
    {
        JsonNode? document;
        if (_options.Value("f") is { } file)
        {
            string text = file == "-" ? _in?.ReadToEnd() ?? "" : ReadFile(file);
            document = JsonNode.Parse(text);
        }
        else if (args.Count > 0)
        {
            document = new JsonObject { ["rule"] = string.Join(' ', args) };
        }
        else if (_in is not null)
        {
            document = JsonNode.Parse(_in.ReadToEnd());
        }
        else
        {
            throw new FwadmUsageException("Must supply file!");
        }
        if (document is not JsonObject obj)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Payload must be a JSON object");
        if (obj.ContainsKey("remoteVMs") && obj["remoteVMs"] is JsonArray { Count: > 0 })
            throw new SolsticeException(ErrorCode.NotSupported, "remote VMs are not supported on this node");
        // fw.js asserts these are arrays of objects before looking for rules (assert.optionalArrayOfObject).
        foreach (string key in new[] { "rules", "localVMs", "remoteVMs" })
        {
            if (!obj.TryGetPropertyValue(key, out var value) || value is null)
                continue;
            if (value is not JsonArray array)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Payload \"{key}\" must be an array of objects, not {Describe(value)}");
            int bad = array.ToList().FindIndex(e => e is not JsonObject);
            if (bad >= 0)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Payload \"{key}\" must be an array of objects: entry {bad} is {Describe(array[bad])}");
        }
        List<JsonObject> payloads;
        if (obj.ContainsKey("rule") || obj.ContainsKey("enabled") || obj.ContainsKey("description")
            || obj.ContainsKey("owner_uuid") || obj.ContainsKey("version"))
            payloads = [obj];
        else if (obj["rules"] is JsonArray rules && rules.All(r => r is JsonObject))
            payloads = rules.Select(r => (JsonObject)r!.DeepClone()).ToList();
        else
            throw new SolsticeException(ErrorCode.InvalidArgument, "Payload must contain one of: rules, localVMs, remoteVMs");
        if (payloads.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Payload must contain one of: rules, localVMs, remoteVMs");
        return payloads.Select(ApplyFlags).ToList();
    }

    private static string Describe(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..37] + "..." : text;
    }

    private JsonObject ApplyFlags(JsonObject payload)
    {
        if (_options.Has("e"))
            payload["enabled"] = true;
        if (_options.Has("g"))
            payload["global"] = true;
        if (_options.Value("O") is { } owner)
            payload["owner_uuid"] = owner;
        if (_options.Value("desc") is { } description)
            payload["description"] = description;
        return payload;
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"File \"{path}\" does not exist.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Error reading \"{path}\": {ex.Message}");
        }
    }
}
