using System.Text.Json.Nodes;

namespace Solstice.Network.Firewall;

public sealed partial record FirewallRule
{
    /// <summary>
    /// The rule as fwadm serialises it (stored files, get, list -j): the given fields, or all of them,
    /// in <see cref="Fields"/> order; unset optional fields are left out and global appears only when true.
    /// </summary>
    public JsonObject ToJson(IEnumerable<string>? fields = null)
    {
        var wanted = fields is null ? null : new HashSet<string>(fields, StringComparer.Ordinal);
        var json = new JsonObject();
        foreach (string field in Fields)
        {
            if (wanted is not null && !wanted.Contains(field))
                continue;
            JsonNode? value = field switch
            {
                "created_by" => CreatedBy,
                "description" => Description,
                "enabled" => Enabled,
                "global" => Global ? true : null,
                "log" => Log,
                "owner_uuid" => OwnerUuid,
                "rule" => Text,
                "uuid" => Uuid,
                "version" => Version,
                _ => null,
            };
            if (value is not null)
                json[field] = value;
        }
        return json;
    }

    /// <summary>
    /// The payload that recreates this rule; <see cref="FromPayload"/> of it is equal to the rule.
    /// </summary>
    public JsonObject ToPayload()
    {
        var json = ToJson();
        json.Remove("global");
        return json;
    }

    public bool Equals(FirewallRule? other) =>
        other is not null && Uuid == other.Uuid && Spec.Equals(other.Spec) && Enabled == other.Enabled
        && OwnerUuid == other.OwnerUuid && Description == other.Description && CreatedBy == other.CreatedBy
        && Log == other.Log && Version == other.Version;

    public override int GetHashCode() => HashCode.Combine(Uuid, Spec, Enabled, OwnerUuid, Version);
}
