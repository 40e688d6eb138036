using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

public static partial class VmValidator
{
    private static void CheckElements(Check check, VmProperty property, string path, JsonNode? value, ElementMode mode)
    {
        if (value is not JsonArray array)
        {
            check.BadValue(path, "must be an array of objects");
            return;
        }
        var table = VmProperties.ElementProperties(property.Name);
        var scope = property.Name switch
        {
            "nics" => Scope.Nic,
            "filesystems" => Scope.Filesystem,
            "disks" => Scope.Disk,
            _ => Scope.Element,
        };
        var primaries = new List<(string Path, int Index)>();
        for (int i = 0; i < array.Count; i++)
        {
            string itemPath = $"{path}.{i}";
            check.Index = null;
            check.Sub = null;
            if (array[i] is not JsonObject element)
            {
                check.BadValue(itemPath, "must be an object");
                continue;
            }
            check.Index = i;
            if (mode == ElementMode.Update && property.Key is { } key && element[key] is null)
            {
                check.Sub = key;
                check.Missing($"{itemPath}.{key}");
            }
            if (table is null)
                continue;
            foreach (var (name, item) in element)
            {
                check.Sub = name;
                CheckElementProperty(check, property, table, scope, $"{itemPath}.{name}", name, item, mode);
            }
            if (mode != ElementMode.Update)
            {
                foreach (var sub in table.Values)
                {
                    if ((sub.RequiredFor & check.Brand) != 0 && element[sub.Name] is null)
                    {
                        check.Sub = sub.Name;
                        check.Missing($"{itemPath}.{sub.Name}");
                    }
                }
            }
            if (scope == Scope.Nic)
                CheckNicCombination(check, element, itemPath, mode, primaries);
        }
        foreach (var (extra, index) in primaries.Skip(1))
        {
            check.Index = index;
            check.Sub = "primary";
            check.BadValue(extra, "only one NIC can be primary");
        }
        check.Index = null;
        check.Sub = null;
    }

    private static void CheckElementProperty(Check check, VmProperty array, IReadOnlyDictionary<string, VmProperty> table,
        Scope scope, string path, string name, JsonNode? value, ElementMode mode)
    {
        if (!table.TryGetValue(name, out var sub))
        {
            check.BadProperty(path, "unknown property");
            return;
        }
        bool isKey = name == array.Key;
        if (mode == ElementMode.Update && !isKey && sub.UpdateMode == VmUpdateMode.None)
        {
            check.BadProperty(path, "cannot be updated");
            return;
        }
        var brands = mode == ElementMode.Update && !isKey ? sub.Update : sub.Create;
        if ((brands & check.Brand) == 0)
        {
            check.BadProperty(path, $"not allowed for {check.BrandName} VMs");
            return;
        }
        if (value is not null)
            CheckValue(check, sub, path, value, scope);
    }

    private static void CheckNicCombination(Check check, JsonObject nic, string path, ElementMode mode, List<(string, int)> primaries)
    {
        if (VmJson.TryGetBoolean(nic["primary"], out bool primary) && primary)
            primaries.Add(($"{path}.primary", check.Index ?? 0));
        if (mode == ElementMode.Update)
            return;
        // The deprecated single-address form needs its netmask unless ips carries the prefix.
        if (VmValueRules.IsIPv4(VmJson.AsString(nic["ip"])) && nic["netmask"] is null && nic["ips"] is null)
        {
            check.Sub = "netmask";
            check.Missing($"{path}.netmask");
        }
    }
}
