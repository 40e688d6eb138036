using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Solstice.Core.Vm;

/// <summary>
/// <c>vmadm list</c> and <c>vmadm lookup</c> over VM objects (smartos-interfaces.md §1.3): flattened keys,
/// filters, sorting, the fixed-width table and the lookup output. Pure: the caller loads the VMs.
/// </summary>
public static partial class VmListing
{
    public static readonly IReadOnlyList<string> DefaultColumns = ["uuid", "type", "ram", "state", "alias"];
    public static readonly IReadOnlyList<string> DefaultSort = ["ram", "uuid"];

    /// <summary>Width of columns for flattened keys (<c>nics.0.ip</c>, <c>tags.role</c>).</summary>
    public const int FlattenedWidth = 20;

    /// <summary>
    /// The value of a listing key, or null when the VM lacks it. Keys are property names, the fake fields
    /// <c>type</c> (from brand when absent) and <c>ram</c> (= max_physical_memory for OS VMs), and flattened
    /// keys: <c>nics.0.ip</c>, <c>resolvers.1</c>, <c>tags.some.key</c> (map keys may contain dots).
    /// </summary>
    public static JsonNode? Resolve(JsonObject vm, string key)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(key);
        switch (key)
        {
            case "type":
                return vm["type"] ?? (VmBrand.TypeOf(VmJson.AsString(vm["brand"]) ?? VmBrand.Default) is { } type
                    ? JsonValue.Create(type)
                    : null);
            case "ram" when !IsHvm(vm):
                return vm["max_physical_memory"] ?? vm["ram"];
        }
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
            return vm[key];
        var container = vm[key[..dot]];
        string rest = key[(dot + 1)..];
        if (container is JsonObject map)
            return map.TryGetPropertyValue(rest, out var value) ? value : null;
        if (container is not JsonArray array)
            return null;
        int dot2 = rest.IndexOf('.', StringComparison.Ordinal);
        string indexText = dot2 < 0 ? rest : rest[..dot2];
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= array.Count)
            return null;
        var element = array[index];
        if (dot2 < 0)
            return element;
        return element is JsonObject obj && obj.TryGetPropertyValue(rest[(dot2 + 1)..], out var sub) ? sub : null;
    }

    /// <summary>
    /// The VM with its flattenable properties expanded one level: nics/disks/pci_devices as
    /// <c>nics.0.ip</c>, maps as <c>tags.role</c>, resolvers and internal_metadata_namespaces as <c>resolvers.0</c>.
    /// Other keys are copied; key order follows the VM object.
    /// </summary>
    public static JsonObject Flatten(JsonObject vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var flat = new JsonObject();
        foreach (var (key, value) in vm)
        {
            bool flattenable = VmProperties.Find(key)?.Flattenable == true;
            switch (value)
            {
                case JsonObject map when flattenable:
                    foreach (var (mapKey, item) in map)
                        flat[$"{key}.{mapKey}"] = item?.DeepClone();
                    break;
                case JsonArray array when flattenable:
                    for (int i = 0; i < array.Count; i++)
                    {
                        string prefix = $"{key}.{i.ToString(CultureInfo.InvariantCulture)}";
                        if (array[i] is JsonObject element)
                        {
                            foreach (var (subKey, item) in element)
                                flat[$"{prefix}.{subKey}"] = item?.DeepClone();
                        }
                        else
                        {
                            flat[prefix] = array[i]?.DeepClone();
                        }
                    }
                    break;
                default:
                    flat[key] = value?.DeepClone();
                    break;
            }
        }
        return flat;
    }

    /// <summary>
    /// The filter keys the vmadm CLI accepts: any list field, <c>nics.(N|*).&lt;nic key&gt;</c>,
    /// <c>disks.(N|*).&lt;disk key&gt;</c>, <c>tags.*</c>, <c>customer_metadata.*</c>, <c>internal_metadata.*</c>.
    /// </summary>
    public static bool IsValidFilterKey(string key) =>
        (VmProperties.Find(key)?.IsListField ?? false) || FilterKeyRegex().IsMatch(key);

    /// <summary>Whether <paramref name="key"/> may be an <c>-o</c> column or <c>-s</c> sort key.</summary>
    public static bool IsValidField(string key) => TryGetColumn(key, out _);

    /// <summary>Parses every filter argument; throws on the first bad key (see <see cref="VmFilter.Parse"/>).</summary>
    public static IReadOnlyList<VmFilter> ParseFilters(IEnumerable<string> arguments, VmKeyContext context) =>
        [.. arguments.Select(a => VmFilter.Parse(a, context))];

    /// <summary>The VMs matching every filter, in input order.</summary>
    public static IEnumerable<JsonObject> Filter(IEnumerable<JsonObject> vms, IReadOnlyList<VmFilter> filters) =>
        filters.Count == 0 ? vms : vms.Where(vm => filters.All(f => f.Matches(vm)));

    /// <summary>Splits a <c>-o</c>/<c>-s</c> argument at commas, dropping empty entries.</summary>
    public static IReadOnlyList<string> SplitFields(string fields) =>
        fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static bool IsHvm(JsonObject vm) =>
        VmJson.TryGetBoolean(vm["hvm"], out bool hvm) ? hvm : VmBrand.IsHvm(VmJson.AsString(vm["brand"]));

    private sealed record Column(string Key, string Header, int Width);

    private static bool TryGetColumn(string key, out Column column)
    {
        if (VmProperties.Find(key) is { IsListField: true } property)
        {
            column = new Column(key, property.Header!, property.Width);
            return true;
        }
        column = new Column(key, key.ToUpperInvariant(), FlattenedWidth);
        return FieldKeyRegex().IsMatch(key);
    }

    [GeneratedRegex(@"^(nics\.([0-9]+|\*)\.(dhcp_server|gateway|interface|ip|mac|model|netmask|nic_tag|vlan_id)|disks\.([0-9]+|\*)\.(boot|image_name|image_size|image_uuid|size|media|model|zpool)|(tags|customer_metadata|internal_metadata)\..+)\z", RegexOptions.Singleline)]
    private static partial Regex FilterKeyRegex();

    [GeneratedRegex(@"^((nics|disks|pci_devices)\.[0-9]+\.[A-Za-z0-9_]+|(tags|customer_metadata|internal_metadata|routes)\..+)\z", RegexOptions.Singleline)]
    private static partial Regex FieldKeyRegex();
}
