using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

public static partial class VmUpdater
{
    /// <summary>Per array: remove_ first, then update_, then add_, so a payload can replace an element.</summary>
    private static void ApplyArrays(JsonObject vm, JsonObject update, bool hvm, Func<int, byte[]> randomBytes)
    {
        foreach (var property in VmProperties.All)
        {
            if (property.UpdateMode != VmUpdateMode.AddUpdateRemove)
                continue;
            string name = property.Name;
            var removes = update[$"remove_{name}"];
            var updates = update[$"update_{name}"] as JsonArray;
            var adds = update[$"add_{name}"] as JsonArray;
            if (removes is null && updates is null && adds is null)
                continue;
            var array = vm[name] as JsonArray ?? new JsonArray();
            vm[name] = array;
            string uuid = VmJson.AsString(vm["uuid"]) ?? "";
            var touched = new List<JsonObject>();
            JsonObject? preferredPrimary = null;
            bool removedPrimary = false;
            var added = new List<JsonObject>();

            if (VmJson.TryGetList(removes, out var keys))
            {
                foreach (var key in keys)
                {
                    int index = IndexOf(array, property, VmJson.JsString(key));
                    if (index < 0)
                        throw NotFound(property, VmJson.JsString(key), uuid);
                    removedPrimary |= name == "nics" && array[index] is JsonObject gone && VmNics.IsPrimary(gone);
                    array.RemoveAt(index);
                }
            }
            foreach (var change in (updates ?? []).OfType<JsonObject>())
            {
                string key = VmJson.JsString(change[property.Key!]);
                int index = IndexOf(array, property, key);
                if (index < 0 || array[index] is not JsonObject element)
                    throw NotFound(property, key, uuid);
                Merge(element, VmPayload.CoerceElement(name, change), change);
                if (name == "nics")
                {
                    VmNics.SyncAddresses(element,
                        preferSingleIp: (change.ContainsKey("ip") || change.ContainsKey("netmask")) && !change.ContainsKey("ips"),
                        preferSingleGateway: change.ContainsKey("gateway") && !change.ContainsKey("gateways"));
                    if (VmNics.IsPrimary(element) && change.ContainsKey("primary"))
                        preferredPrimary = element;
                }
                touched.Add(element);
            }
            foreach (var addition in (adds ?? []).OfType<JsonObject>())
            {
                var element = VmPayload.CoerceElement(name, addition);
                if (VmJson.AsString(element[property.Key!]) is { } key && IndexOf(array, property, key) >= 0)
                    throw new SolsticeException(ErrorCode.Conflict, $"Cannot add {Singular(property)} {key} to VM {uuid}: it already exists");
                if (name == "nics")
                {
                    if (hvm)
                        VmNics.ApplyModelDefault(element, VmJson.AsString(vm["nic_driver"]));
                    VmNics.SyncAddresses(element);
                    if (VmNics.IsPrimary(element))
                        preferredPrimary = element;
                }
                array.Add((JsonNode)element);
                touched.Add(element);
                added.Add(element);
            }

            if (name == "nics")
            {
                VmNics.AssignMacs(array, randomBytes);
                VmNics.AssignInterfaces(array);
                if (removedPrimary && preferredPrimary is null)
                    preferredPrimary = VmNics.SuccessorPrimary(array, added);
                VmNics.EnsurePrimary(array, preferredPrimary);
            }
            for (int i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject element && touched.Contains(element))
                    array[i] = VmJson.SortedCopy(element);
            }
        }
    }

    /// <summary>Copies coerced values; keys the update set to JSON null are removed.</summary>
    private static void Merge(JsonObject element, JsonObject coerced, JsonObject raw)
    {
        foreach (var (key, value) in raw)
        {
            if (value is null)
                element.Remove(key);
            else
                element[key] = coerced[key]?.DeepClone();
        }
    }

    private static int IndexOf(JsonArray array, VmProperty property, string key)
    {
        string wanted = property.Key == "mac" ? VmValueRules.NormalizeMac(key) : key;
        for (int i = 0; i < array.Count; i++)
        {
            string? value = VmJson.AsString(array[i]?[property.Key!]);
            if (value is not null && (property.Key == "mac" ? VmValueRules.NormalizeMac(value) : value) == wanted)
                return i;
        }
        return -1;
    }

    private static SolsticeException NotFound(VmProperty property, string key, string uuid) =>
        new(ErrorCode.NotFound, $"VM {uuid} has no {Singular(property)} with {property.Key} {key}");

    private static string Singular(VmProperty property) => property.Name switch
    {
        "nics" => "NIC",
        "disks" => "disk",
        "filesystems" => "filesystem",
        "pci_devices" => "PCI device",
        _ => property.Name,
    };
}
