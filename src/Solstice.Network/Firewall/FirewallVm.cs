using System.Text.Json.Nodes;
using Solstice.Core.Vm;

namespace Solstice.Network.Firewall;

/// <summary>
/// What the firewall needs to know about a VM: its owner (for owner-scoped rules), tags (values as
/// JavaScript's String() renders them), addresses (from nics[].ips, without prefix length) and whether
/// its firewall is enabled.
/// </summary>
public sealed record FirewallVm(
    string Uuid,
    string OwnerUuid,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Ips,
    bool FirewallEnabled)
{
    /// <summary>The parseable addresses of <see cref="Ips"/>, as hosts; entries such as "dhcp" are skipped.</summary>
    public IReadOnlyList<FwAddress> ParseAddresses() => Ips
        .Select(ip => FwAddress.TryParse(ip, out var a, prefixMeansHost: true) ? a : (FwAddress?)null)
        .OfType<FwAddress>().Distinct().ToList();

    /// <summary>Reads the fields from a vmadm VM object (uuid, owner_uuid, tags, nics[].ips or nics[].ip, firewall_enabled).</summary>
    public static FirewallVm FromVmJson(JsonObject vm)
    {
        string uuid = vm["uuid"]?.GetValue<string>() ?? throw new ArgumentException("VM object has no uuid", nameof(vm));
        string owner = vm["owner_uuid"] is JsonValue o && o.TryGetValue(out string? s) ? s : VmProperties.ZeroUuid;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (vm["tags"] is JsonObject tagObject)
        {
            foreach (var (key, value) in tagObject)
                tags[key] = VmJson.JsString(value);
        }
        var ips = new List<string>();
        if (vm["nics"] is JsonArray nics)
        {
            foreach (var nic in nics.OfType<JsonObject>())
            {
                if (nic["ips"] is JsonArray list)
                    ips.AddRange(list.OfType<JsonValue>().Select(v => v.TryGetValue(out string? ip) ? ip : null).OfType<string>());
                else if (nic["ip"] is JsonValue single && single.TryGetValue(out string? ip))
                    ips.Add(ip);
            }
        }
        bool enabled = vm["firewall_enabled"] is JsonValue f && f.TryGetValue(out bool b) && b;
        return new FirewallVm(uuid, owner, tags, ips.Where(ip => ip is not ("dhcp" or "addrconf")).ToList(), enabled);
    }
}
