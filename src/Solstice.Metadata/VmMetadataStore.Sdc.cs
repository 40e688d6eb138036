using System.Text.Json.Nodes;
using Solstice.Core.Vm;

namespace Solstice.Metadata;

public sealed partial class VmMetadataStore
{
    /// <summary>Properties <c>VM.flatten</c> reads as <c>name.index.key</c> (smartos-live proptable.js, flattenable: array_hash_key).</summary>
    private static readonly string[] s_arrayHashKeys = ["disks", "nics", "pci_devices"];

    /// <summary>... as <c>name.key</c> (flattenable: hash_key).</summary>
    private static readonly string[] s_hashKeys = ["customer_metadata", "internal_metadata", "routes", "tags"];

    /// <summary>... as <c>name.index</c> (flattenable: array).</summary>
    private static readonly string[] s_arrays = ["internal_metadata_namespaces", "resolvers"];

    /// <summary>
    /// <c>sdc:&lt;want&gt;</c>. nics, resolvers and tmpfs are JSON texts when the VM has them;
    /// routes is rebuilt for mdata-fetch; operator-script and volumes come from internal_metadata;
    /// <c>tags.&lt;name&gt;</c> is a tag (names may contain dots); anything else is <c>VM.flatten</c>.
    /// </summary>
    private static MetadataResult GetSdc(JsonObject obj, string want)
    {
        switch (want)
        {
            case "nics" or "resolvers" or "tmpfs" when obj.TryGetPropertyValue(want, out var node):
                return MetadataResult.Found(VmJson.Stringify(node));
            case "routes" when obj.TryGetPropertyValue(want, out var routes):
                return MetadataResult.Found(VmJson.Stringify(Routes(routes as JsonObject, obj["nics"] as JsonArray)));
            case "operator-script":
                return FromJs(Member(obj[Internal], "operator-script"));
            case "volumes":
                return FromJs(Member(obj[Internal], "sdc:volumes"));
        }
        if (want.StartsWith("tags.", StringComparison.Ordinal))
            return FromJs(obj["tags"] is JsonObject tags && tags.TryGetPropertyValue(want[5..], out var tag) ? tag : null);
        return FromJs(Flatten(obj, want));
    }

    /// <summary>
    /// vmadm routes (<c>{dst: gateway}</c>) as <c>[{linklocal, dst, gateway}]</c>: a gateway of
    /// <c>nics[N]</c> or <c>macs[MAC]</c> is that NIC's IP and link-local; such a route is left
    /// out when the NIC is missing, has no IP or uses DHCP.
    /// </summary>
    private static JsonArray Routes(JsonObject? routes, JsonArray? nics)
    {
        var result = new JsonArray();
        foreach (string dst in JsKeys(routes))
        {
            if (VmJson.AsString(routes![dst]) is not { } target)
                continue;
            JsonNode? nic = null;
            bool linkLocal = true;
            if (target.StartsWith("nics[", StringComparison.Ordinal) && target.EndsWith(']') && target.Length > 6
                && target.AsSpan(5, target.Length - 6).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                nic = int.TryParse(target.AsSpan(5, target.Length - 6), System.Globalization.CultureInfo.InvariantCulture, out int index)
                    && index < (nics?.Count ?? 0) ? nics![index] : null;
            }
            else if (target.StartsWith("macs[", StringComparison.Ordinal) && target.EndsWith(']') && target.Length > 6
                && target.AsSpan(5, target.Length - 6).IndexOfAny("\n\r\u2028\u2029") < 0)
            {
                if (!TryParseMac(target.AsSpan(5, target.Length - 6), out ulong mac) || nics is null)
                    continue;
                nic = nics.FirstOrDefault(n => TryParseMac(VmJson.AsString(n?["mac"]), out ulong m) && m == mac);
            }
            else
                linkLocal = false;
            string? gateway = target;
            if (linkLocal)
            {
                gateway = VmJson.AsString(nic?["ip"]);
                if (gateway is null or "dhcp")
                    continue;
            }
            result.Add((JsonNode)new JsonObject { ["linklocal"] = linkLocal, ["dst"] = dst, ["gateway"] = gateway });
        }
        return result;
    }

    /// <summary>
    /// node-macaddr's parse: six groups of one or two hex digits separated by ':' or '-' (one kind
    /// throughout), or twelve hex digits.
    /// </summary>
    private static bool TryParseMac(ReadOnlySpan<char> text, out ulong mac)
    {
        mac = 0;
        int sep = text.IndexOfAny(':', '-');
        if (sep < 0)
        {
            if (text.Length != 12 || !ulong.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out mac))
                return false;
            return true;
        }
        char separator = text[sep];
        int octets = 0;
        foreach (var range in text.Split(separator))
        {
            var octet = text[range];
            if (octet.Length is 0 or > 2 || octets == 6 || !byte.TryParse(octet, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out byte b))
                return false;
            mac = (mac << 8) | b;
            octets++;
        }
        return octets == 6;
    }

    private static bool TryParseMac(string? text, out ulong mac)
    {
        mac = 0;
        return text is not null && TryParseMac(text.AsSpan(), out mac);
    }

    /// <summary>
    /// <c>VM.flatten(vmobj, key)</c>: <c>nics.0.ip</c>, <c>tags.role</c>, <c>resolvers.1</c> for the
    /// flattenable properties (by the number of dot-separated tokens), else the property itself.
    /// </summary>
    private static JsonNode? Flatten(JsonObject obj, string key)
    {
        string[] tokens = key.Split('.');
        if (tokens.Length == 3 && s_arrayHashKeys.Contains(tokens[0]))
            return Member(Member(obj[tokens[0]], tokens[1]), tokens[2]);
        if (tokens.Length == 2 && s_hashKeys.Contains(tokens[0]))
            return Member(obj[tokens[0]], tokens[1]);
        if (tokens.Length == 2 && s_arrays.Contains(tokens[0]))
            return obj[tokens[0]] is JsonArray array && JsText.TryGetArrayIndex(tokens[1], array.Count, out int index) ? array[index] : null;
        return obj.TryGetPropertyValue(key, out var value) ? value : null;
    }
}
