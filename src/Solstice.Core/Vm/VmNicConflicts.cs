using System.Globalization;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// VM.js's NIC conflict rules (checkPayloadProperties and lookupConflicts): within one VM no two NICs share a MAC
/// or an address; across VMs a MAC is unique on the node, and an address is unique per nic tag and VLAN (the same
/// address on another tag or VLAN is another network). <c>dhcp</c> and <c>addrconf</c> never conflict. Only what a
/// create or update adds is checked, so an unrelated update of a VM never fails on older state.
/// </summary>
public static class VmNicConflicts
{
    /// <summary>
    /// Throws <see cref="SolsticeException"/> (<see cref="ErrorCode.Conflict"/>) when <paramref name="vm"/> (after a
    /// create or update; <paramref name="before"/> is the VM before an update, null on create) reuses a MAC or
    /// address inside itself or takes one that a VM of <paramref name="others"/> holds.
    /// </summary>
    public static void Check(JsonObject vm, JsonObject? before, IEnumerable<JsonObject> others)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(others);
        var nics = Nics(vm);
        var macs = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var nic in nics)
        {
            if (nic.Mac is { } mac && !macs.Add(mac))
                throw new SolsticeException(ErrorCode.Conflict, $"Cannot add multiple NICs with the same MAC: {mac}");
            foreach (string address in nic.Addresses)
            {
                if (!addresses.Add(address))
                    throw new SolsticeException(ErrorCode.Conflict, $"Cannot add multiple NICs with the same IP: {address}");
            }
        }

        var old = before is null ? [] : Nics(before);
        var oldMacs = old.Select(n => n.Mac).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var oldKeys = old.SelectMany(n => n.Addresses.Select(a => n.Network + " " + a)).ToHashSet(StringComparer.Ordinal);
        var newMacs = nics.Select(n => n.Mac).OfType<string>().Where(m => !oldMacs.Contains(m)).ToHashSet(StringComparer.Ordinal);
        var newKeys = nics.SelectMany(n => n.Addresses.Select(a => (Key: n.Network + " " + a, n.Tag, n.Vlan, Address: a)))
            .Where(k => !oldKeys.Contains(k.Key)).ToList();
        if (newMacs.Count == 0 && newKeys.Count == 0)
            return;

        string self = VmJson.AsString(vm["uuid"]) ?? "";
        foreach (var other in others)
        {
            string uuid = VmJson.AsString(other["uuid"]) ?? "";
            if (uuid == self)
                continue;
            foreach (var nic in Nics(other))
            {
                if (nic.Mac is { } mac && newMacs.Contains(mac))
                    throw Conflict($"VM {uuid} already has MAC {mac}");
                foreach (var key in newKeys)
                {
                    if (nic.Network == key.Key[..key.Key.LastIndexOf(' ')] && nic.Addresses.Contains(key.Address))
                        throw Conflict($"VM {uuid} already has IP {key.Address} on nic tag {key.Tag} (VLAN {key.Vlan})");
                }
            }
        }
    }

    private static SolsticeException Conflict(string detail) =>
        new(ErrorCode.Conflict, $"Conflict detected with another vm, please check the MAC, IP, and VRID: {detail}");

    private sealed record Nic(string? Mac, string Tag, long Vlan, IReadOnlyList<string> Addresses)
    {
        public string Network => Tag + "/" + Vlan.ToString(CultureInfo.InvariantCulture);
    }

    private static List<Nic> Nics(JsonObject vm)
    {
        var result = new List<Nic>();
        if (vm["nics"] is not JsonArray array)
            return result;
        foreach (var nic in array.OfType<JsonObject>())
        {
            string? mac = VmJson.AsString(nic["mac"]) is { } m && VmValueRules.IsMac(m) ? VmValueRules.NormalizeMac(m) : null;
            string tag = VmJson.AsString(nic["nic_tag"]) ?? "";
            long vlan = VmJson.TryGetInteger(nic["vlan_id"], out long v) ? v : 0;
            var addresses = new List<string>();
            if (nic["ips"] is JsonArray ips)
            {
                foreach (var entry in ips)
                {
                    if (VmJson.AsString(entry) is { } text && Address(text) is { } address && !addresses.Contains(address))
                        addresses.Add(address);
                }
            }
            else if (VmJson.AsString(nic["ip"]) is { } ip && Address(ip) is { } single)
            {
                addresses.Add(single);
            }
            result.Add(new Nic(mac, tag, vlan, addresses));
        }
        return result;
    }

    /// <summary>The address of an ips entry or ip (prefix dropped, IPv6 in canonical form), or null for dhcp/addrconf.</summary>
    private static string? Address(string entry)
    {
        string address = VmValueRules.TryParseCidr(entry, out string a, out _) ? a : entry;
        if (VmValueRules.IsIPv4(address))
            return address;
        return VmValueRules.IsIPv6(address) && System.Net.IPAddress.TryParse(address, out var v6) ? v6.ToString() : null;
    }
}
