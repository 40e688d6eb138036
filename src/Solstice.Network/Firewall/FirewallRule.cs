using System.Globalization;
using System.Text.Json.Nodes;

namespace Solstice.Network.Firewall;

/// <summary>How rule payloads are checked. fwadm creates rules with EnforceGlobal (exactly one of owner_uuid or global).</summary>
public sealed record FirewallRuleOptions
{
    public bool EnforceGlobal { get; init; }

    public FwParseOptions Parse { get; init; } = FwParseOptions.Default;

    /// <summary>Version for payloads that carry none; fwadm gives every rule of one command the same.</summary>
    public string? Version { get; init; }

    public Func<string> NewUuid { get; init; } = () => Guid.NewGuid().ToString("D");
}

/// <summary>
/// A firewall rule object (sdc-fwrule FwRule): the canonical rule plus its metadata. A rule with an
/// owner applies only to that owner's VMs; one without is global and applies to every VM.
/// </summary>
public sealed partial record FirewallRule
{
    public const int MaxTargetsPerSide = 24;
    public const int MaxProtocolTargets = 24;
    public const int OldMaxProtocolTargets = 8;

    /// <summary>Field names fwadm accepts and prints, in its order (sdc-fwrule FIELDS).</summary>
    public static IReadOnlyList<string> Fields { get; } =
        ["created_by", "description", "enabled", "global", "log", "owner_uuid", "rule", "uuid", "version"];

    public required string Uuid { get; init; }

    /// <summary>The rule, normalised.</summary>
    public required FwRuleSpec Spec { get; init; }

    public bool Enabled { get; init; }

    public string? OwnerUuid { get; init; }

    public bool Global => OwnerUuid is null;

    public string? Description { get; init; }

    public string? CreatedBy { get; init; }

    public bool Log { get; init; }

    /// <summary>"&lt;ms since the epoch&gt;.&lt;pid, 6 digits&gt;", new on every change.</summary>
    public required string Version { get; init; }

    /// <summary>The canonical rule text.</summary>
    public string Text => Spec.ToText();

    public int Priority => Spec.EffectivePriority;

    public static string NewVersion(TimeProvider? time = null) =>
        (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
        + "." + Environment.ProcessId.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>
    /// Builds a rule from a JSON payload, reporting every invalid field at once (sdc-fwrule's order and
    /// messages), then the rule-level checks: target and port counts, ICMP address families, and that
    /// the rule selects VMs at all.
    /// </summary>
    public static FirewallRule FromPayload(JsonObject payload, FirewallRuleOptions? options = null)
    {
        options ??= new FirewallRuleOptions();
        var errors = new List<FwRuleError>();
        FwRuleSpec? spec = null;
        if (payload["rule"] is not JsonValue ruleValue || !ruleValue.TryGetValue(out string? ruleText) || ruleText.Length == 0)
        {
            errors.Add(new FwRuleError("rule", "No rule specified"));
        }
        else
        {
            try
            {
                spec = FwRuleParser.Parse(ruleText, options.Parse);
            }
            catch (FwRuleException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }
        string uuid = payload.ContainsKey("uuid") ? StringOrNull(payload["uuid"]) ?? "" : options.NewUuid();
        if (payload.ContainsKey("uuid") && !FwRuleValues.IsUuid(uuid))
            errors.Add(new FwRuleError("uuid", "Invalid rule UUID"));
        string? owner = null;
        if (payload.ContainsKey("owner_uuid"))
        {
            owner = StringOrNull(payload["owner_uuid"]);
            if (owner is null || !FwRuleValues.IsUuid(owner))
                errors.Add(new FwRuleError("owner_uuid", "Invalid owner UUID"));
        }
        bool enabled = Bool(payload, "enabled", errors);
        bool log = Bool(payload, "log", errors);
        string? createdBy = ShortString(payload, "created_by", errors);
        string? description = ShortString(payload, "description", errors);
        if (options.EnforceGlobal)
            CheckGlobal(payload, errors);
        if (errors.Count > 0)
            throw new FwRuleException(errors);
        var normalized = spec!.Normalize();
        Validate(spec!, normalized, options.Parse);
        return new FirewallRule
        {
            Uuid = uuid,
            Spec = normalized,
            Enabled = enabled,
            OwnerUuid = owner,
            Description = description,
            CreatedBy = createdBy,
            Log = log,
            Version = StringOrNull(payload["version"]) is { Length: > 0 } v ? v : options.Version ?? NewVersion(),
        };
    }

    private static void CheckGlobal(JsonObject payload, List<FwRuleError> errors)
    {
        bool hasGlobal = payload.ContainsKey("global");
        if (hasGlobal && !IsBool(payload["global"], out _))
            errors.Add(new FwRuleError("global", "global must be true or false"));
        if (hasGlobal && payload.ContainsKey("owner_uuid") && IsBool(payload["global"], out bool global) && global)
            errors.Add(new FwRuleError("global", "cannot specify both global and owner_uuid"));
        if (!hasGlobal && !payload.ContainsKey("owner_uuid"))
            errors.Add(new FwRuleError("owner_uuid", "owner_uuid required"));
    }

    /// <summary>The checks sdc-fwrule makes after parsing; counts are taken before duplicates are dropped.</summary>
    private static void Validate(FwRuleSpec parsed, FwRuleSpec rule, FwParseOptions options)
    {
        int protocolTargets = rule.Protocol.IsIcmp() ? rule.Types.Count : rule.Ports.Count;
        int max = options.MaxVersion < 4 ? OldMaxProtocolTargets : MaxProtocolTargets;
        if (protocolTargets > max)
            throw new FwRuleException("rule", $"maximum of {max} {(rule.Protocol.IsIcmp() ? "types" : "ports")} allowed");
        if (parsed.From.Count > MaxTargetsPerSide || parsed.To.Count > MaxTargetsPerSide)
            throw new FwRuleException("rule", $"maximum of {MaxTargetsPerSide} targets allowed per side");
        if (rule.Protocol.IsIcmp())
        {
            bool v6 = rule.Protocol == FwProtocol.Icmp6;
            string family = v6 ? "ICMPv6" : "ICMPv4";
            string ipName = v6 ? "IPv6" : "IPv4";
            var all = rule.From.Concat(rule.To).ToList();
            if (all.Any(t => t.Kind == FwTargetKind.Ip && t.Value.Contains(':') != v6))
                throw new FwRuleException("rule", $"rule affects {family} but contains a non-{ipName} address");
            if (all.Any(t => t.Kind == FwTargetKind.Subnet && t.Value.Contains(':') != v6))
                throw new FwRuleException("rule", $"rule affects {family} but contains a non-{ipName} subnet");
        }
        if (!rule.From.Concat(rule.To).Any(t => t.SelectsVms))
            throw new FwRuleException("rule", "rule does not affect VMs");
    }

    private static bool Bool(JsonObject payload, string field, List<FwRuleError> errors)
    {
        if (!payload.ContainsKey(field))
            return false;
        if (IsBool(payload[field], out bool value))
            return value;
        errors.Add(new FwRuleError(field, $"{field} must be true or false"));
        return false;
    }

    /// <summary>fwrule accepts JSON booleans and the strings "true" and "false".</summary>
    private static bool IsBool(JsonNode? node, out bool value)
    {
        value = false;
        if (node is not JsonValue v)
            return false;
        if (v.TryGetValue(out bool b))
        {
            value = b;
            return true;
        }
        if (v.TryGetValue(out string? s) && s is "true" or "false")
        {
            value = s == "true";
            return true;
        }
        return false;
    }

    private static string? ShortString(JsonObject payload, string field, List<FwRuleError> errors)
    {
        if (!payload.ContainsKey(field))
            return null;
        string? s = StringOrNull(payload[field]);
        if (s is null)
            errors.Add(new FwRuleError(field, $"{field} must be a string"));
        else if (s.Length > 255)
            errors.Add(new FwRuleError(field, $"{field} must be shorter than 255 characters"));
        else
            return s;
        return null;
    }

    private static string? StringOrNull(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
