using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Linux;

namespace Solstice.Network.Firewall;

/// <summary>
/// Rules as one JSON file per rule, &lt;directory&gt;/&lt;uuid&gt;.json (fwadm's /var/fw/rules layout),
/// each written atomically. A file that does not parse as a rule is reported, not skipped.
/// </summary>
public sealed class FirewallRuleStore(string directory) : IFirewallRuleStore
{
    private readonly Lock _lock = new();

    public string Directory => directory;

    public IReadOnlyList<FirewallRule> List()
    {
        lock (_lock)
        {
            if (!System.IO.Directory.Exists(directory))
                return [];
            return System.IO.Directory.EnumerateFiles(directory, "*.json")
                .Select(Path.GetFileNameWithoutExtension)
                .Where(name => name is not null && FwRuleValues.IsUuid(name))
                .Select(name => Load(name!)!)
                .OrderBy(r => r.Uuid, StringComparer.Ordinal)
                .ToList();
        }
    }

    public FirewallRule? Get(string uuid)
    {
        if (!FwRuleValues.IsUuid(uuid))
            return null;
        lock (_lock)
            return Load(uuid);
    }

    public void Add(FirewallRule rule)
    {
        lock (_lock)
        {
            if (File.Exists(PathOf(rule.Uuid)))
                throw new SolsticeException(ErrorCode.AlreadyExists, $"Rule \"{rule.Uuid}\" already exists");
            Save(rule);
        }
    }

    public void Update(FirewallRule rule)
    {
        lock (_lock)
        {
            if (!File.Exists(PathOf(rule.Uuid)))
                throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {rule.Uuid}");
            Save(rule);
        }
    }

    public void Delete(string uuid)
    {
        lock (_lock)
        {
            string path = FwRuleValues.IsUuid(uuid) ? PathOf(uuid) : "";
            if (path.Length == 0 || !File.Exists(path))
                throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {uuid}");
            File.Delete(path);
            AtomicFile.SyncDirectory(directory);
        }
    }

    /// <summary>Sets a rule's enabled flag with a new version; returns the stored rule.</summary>
    public FirewallRule SetEnabled(string uuid, bool enabled, string? version = null)
    {
        lock (_lock)
        {
            var rule = Load(uuid) ?? throw new SolsticeException(ErrorCode.NotFound, $"Unknown rule: {uuid}");
            var updated = rule with { Enabled = enabled, Version = version ?? FirewallRule.NewVersion() };
            Save(updated);
            return updated;
        }
    }

    private string PathOf(string uuid) => Path.Combine(directory, uuid + ".json");

    private void Save(FirewallRule rule) =>
        AtomicFile.WriteText(PathOf(rule.Uuid), VmJson.Stringify(rule.ToJson(), indented: true) + "\n");

    private FirewallRule? Load(string uuid)
    {
        string path = PathOf(uuid);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json)
                throw new SolsticeException(ErrorCode.Internal, $"rule file '{path}' does not hold a JSON object");
            var rule = FirewallRule.FromPayload(json);
            if (rule.Uuid != uuid)
                throw new SolsticeException(ErrorCode.Internal, $"rule file '{path}' holds rule {rule.Uuid}");
            return rule;
        }
        catch (Exception ex) when (ex is JsonException or FwRuleException)
        {
            throw new SolsticeException(ErrorCode.Internal, $"rule file '{path}' is invalid: {ex.Message}", ex);
        }
    }
}
