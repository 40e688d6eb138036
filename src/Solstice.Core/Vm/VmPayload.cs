using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>Turns CLI arguments into payloads and payload values into their stored JSON types.</summary>
public static class VmPayload
{
    /// <summary>
    /// <c>vmadm update &lt;uuid&gt; k=v ...</c>: each argument splits at its first '='. Values stay strings,
    /// except that integer and boolean properties get numbers and booleans when the text is one; so
    /// <c>alias=null</c> sets the alias "null" rather than clearing it (only JSON null clears).
    /// </summary>
    public static JsonObject FromKeyValues(IEnumerable<string> arguments)
    {
        var payload = new JsonObject();
        foreach (string argument in arguments)
        {
            int eq = argument.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid key=value argument: \"{argument}\"");
            string key = argument[..eq];
            JsonNode value = JsonValue.Create(argument[(eq + 1)..]);
            if (VmProperties.TryGet(key, out var property) && property.Type is VmPropertyType.Integer or VmPropertyType.Boolean)
                value = Coerce(property, value)!;
            payload[key] = value;
        }
        return payload;
    }

    /// <summary>
    /// Converts a validated value to its stored form: integers and booleans from strings, lists to arrays
    /// (limit_priv to its comma string), object-array elements by their sub-property table. Values that do not
    /// convert are copied unchanged.
    /// </summary>
    public static JsonNode? Coerce(VmProperty property, JsonNode? value)
    {
        switch (property.Type)
        {
            case VmPropertyType.Integer when VmJson.TryGetInteger(value, out long number):
                return JsonValue.Create(number);
            case VmPropertyType.Boolean when VmJson.TryGetBoolean(value, out bool flag):
                return JsonValue.Create(flag);
            case VmPropertyType.List when VmJson.TryGetList(value, out var items):
                if (property.Name == "limit_priv")
                    return JsonValue.Create(string.Join(',', items.Select(VmJson.JsString)));
                var list = new JsonArray();
                foreach (var item in items)
                {
                    list.Add(property.Name == "blocked_outgoing_ports" && VmJson.TryGetInteger(item, out long port)
                        ? JsonValue.Create(port)
                        : item?.DeepClone());
                }
                return list;
            case VmPropertyType.ObjectArray when value is JsonArray array:
                var elements = new JsonArray();
                foreach (var element in array)
                    elements.Add(element is JsonObject obj ? CoerceElement(property.Name, obj) : element?.DeepClone());
                return elements;
            default:
                return value?.DeepClone();
        }
    }

    /// <summary>Coerces the known sub-properties of one nics/filesystems element; drops JSON nulls.</summary>
    public static JsonObject CoerceElement(string arrayName, JsonObject element)
    {
        var table = VmProperties.ElementProperties(arrayName);
        var result = new JsonObject();
        foreach (var (key, value) in element)
        {
            if (value is null)
                continue;
            result[key] = table is not null && table.TryGetValue(key, out var sub) ? Coerce(sub, value) : value.DeepClone();
        }
        return result;
    }
}
