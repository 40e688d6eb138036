using System.Globalization;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>NIC normalisation shared by create and update: MACs, interface names, the primary flag, addresses.</summary>
internal static class VmNics
{
    /// <summary>
    /// A locally administered unicast MAC: first octet <c>&lt;1..f&gt;2</c>, then five random octets
    /// (smartos-interfaces.md §1.8 nics.*.mac).
    /// </summary>
    public static string GenerateMac(Func<int, byte[]> randomBytes, ICollection<string> used)
    {
        for (int attempt = 0; ; attempt++)
        {
            byte[] bytes = randomBytes(6);
            if (bytes.Length < 6)
                throw new InvalidOperationException("The random source returned fewer than 6 bytes.");
            bytes[0] = (byte)(((1 + (bytes[0] % 15)) << 4) | 0x2);
            string mac = string.Join(':', bytes.Take(6).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            if (!used.Contains(mac))
                return mac;
            if (attempt > 1000)
                throw new InvalidOperationException("The random source keeps returning MAC addresses already in use.");
        }
    }

    public static string? MacOf(JsonNode? nic) => nic is JsonObject obj && VmJson.AsString(obj["mac"]) is { } mac
        ? VmValueRules.NormalizeMac(mac)
        : null;

    /// <summary>Gives every NIC without a MAC a generated one and zero-pads the others.</summary>
    public static void AssignMacs(JsonArray nics, Func<int, byte[]> randomBytes)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var nic in nics.OfType<JsonObject>())
        {
            if (MacOf(nic) is { } mac)
            {
                nic["mac"] = mac;
                used.Add(mac);
            }
        }
        foreach (var nic in nics.OfType<JsonObject>())
        {
            if (nic["mac"] is null)
            {
                string mac = GenerateMac(randomBytes, used);
                nic["mac"] = mac;
                used.Add(mac);
            }
        }
    }

    /// <summary>NICs without an interface get the lowest free <c>netN</c>, in array order.</summary>
    public static void AssignInterfaces(JsonArray nics)
    {
        var used = new HashSet<string>(nics.OfType<JsonObject>()
            .Select(n => VmJson.AsString(n["interface"])).OfType<string>(), StringComparer.Ordinal);
        int next = 0;
        foreach (var nic in nics.OfType<JsonObject>())
        {
            if (nic["interface"] is not null)
                continue;
            while (used.Contains("net" + next.ToString(CultureInfo.InvariantCulture)))
                next++;
            string name = "net" + next.ToString(CultureInfo.InvariantCulture);
            nic["interface"] = name;
            used.Add(name);
        }
    }

    /// <summary>
    /// Keeps exactly one primary NIC: <paramref name="preferred"/> if it says so, else the first one marked,
    /// else the first NIC. Non-primary NICs carry no <c>primary</c> key.
    /// </summary>
    public static void EnsurePrimary(JsonArray nics, JsonObject? preferred = null)
    {
        var list = nics.OfType<JsonObject>().ToList();
        if (list.Count == 0)
            return;
        var primary = preferred is not null && IsPrimary(preferred) ? preferred : list.FirstOrDefault(IsPrimary) ?? list[0];
        foreach (var nic in list)
        {
            if (ReferenceEquals(nic, primary))
                nic["primary"] = true;
            else
                nic.Remove("primary");
        }
    }

    /// <summary>
    /// VM.js's successor when an update removes the primary NIC without naming a new one: the first remaining
    /// NIC (present before the update) whose first address is not private (RFC 1918), else the first whose is,
    /// else the first NIC. The successor is marked primary and returned.
    /// </summary>
    public static JsonObject? SuccessorPrimary(JsonArray nics, IReadOnlyCollection<JsonObject> added)
    {
        var old = nics.OfType<JsonObject>().Where(n => !added.Contains(n)).ToList();
        JsonObject? publicCandidate = null, privateCandidate = null;
        foreach (var nic in old)
        {
            if (nic["ips"] is not JsonArray ips || ips.Count == 0 || VmJson.AsString(ips[0]) is not { } first)
                continue;
            string address = VmValueRules.TryParseCidr(first, out string a, out _) ? a : first;
            if (IsPrivateIPv4(address))
                privateCandidate ??= nic;
            else
                publicCandidate ??= nic;
        }
        var successor = publicCandidate ?? privateCandidate ?? old.FirstOrDefault() ?? nics.OfType<JsonObject>().FirstOrDefault();
        if (successor is not null)
            successor["primary"] = true;
        return successor;
    }

    /// <summary>10/8, 172.16/12, 192.168/16.</summary>
    public static bool IsPrivateIPv4(string address)
    {
        if (!VmValueRules.TryParseIPv4(address, out uint v4))
            return false;
        return (v4 >> 24) == 10 || (v4 >> 20) == (172u << 4 | 1) || (v4 >> 16) == (192u << 8 | 168);
    }

    public static bool IsPrimary(JsonObject nic) => VmJson.TryGetBoolean(nic["primary"], out bool primary) && primary;

    /// <summary>
    /// Keeps the deprecated single-address keys (ip, netmask, gateway) and the list keys (ips, gateways) in
    /// step. The list form wins unless an update changed only the single form.
    /// </summary>
    public static void SyncAddresses(JsonObject nic, bool preferSingleIp = false, bool preferSingleGateway = false)
    {
        if (nic["ips"] is JsonArray ips && !preferSingleIp)
        {
            var strings = ips.Select(VmJson.AsString).OfType<string>().ToList();
            string? v4 = strings.FirstOrDefault(s => VmValueRules.TryParseCidr(s, out string a, out _) && VmValueRules.IsIPv4(a));
            if (v4 is not null && VmValueRules.TryParseCidr(v4, out string address, out int prefix))
            {
                nic["ip"] = address;
                nic["netmask"] = VmValueRules.PrefixToNetmask(prefix);
            }
            else
            {
                nic.Remove("netmask");
                if (strings.Contains("dhcp"))
                    nic["ip"] = "dhcp";
                else
                    nic.Remove("ip");
            }
            if (ips.Count == 0)
                nic.Remove("ips"); // update_nics with ips: [] removes the NIC's addresses, ip and ips alike
        }
        else if (VmJson.AsString(nic["ip"]) is { } ip)
        {
            string entry = ip;
            if (ip != "dhcp")
                entry = VmValueRules.TryNetmaskToPrefix(VmJson.AsString(nic["netmask"]), out int bits)
                    ? $"{ip}/{bits.ToString(CultureInfo.InvariantCulture)}"
                    : $"{ip}/32";
            nic["ips"] = new JsonArray(JsonValue.Create(entry));
        }

        if (nic["gateways"] is JsonArray gateways && !preferSingleGateway)
        {
            string? first = gateways.Select(VmJson.AsString).FirstOrDefault(VmValueRules.IsIPv4);
            if (first is null)
                nic.Remove("gateway");
            else
                nic["gateway"] = first;
        }
        else if (VmJson.AsString(nic["gateway"]) is { } gateway)
        {
            nic["gateways"] = new JsonArray(JsonValue.Create(gateway));
        }
    }

    /// <summary>HVM NICs inherit nic_driver as their model.</summary>
    public static void ApplyModelDefault(JsonObject nic, string? nicDriver)
    {
        if (nicDriver is not null && nic["model"] is null)
            nic["model"] = nicDriver;
    }
}
