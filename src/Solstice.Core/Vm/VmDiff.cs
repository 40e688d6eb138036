using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// Computes the <c>changes[]</c> between two VM objects. Objects are compared key by key; the object arrays
/// nics, disks, filesystems, pci_devices and snapshots are matched by their identifying key (mac, path,
/// target, path, name) so that removing one NIC does not report every later NIC as changed; other arrays
/// are compared by index. Paths use the element's index in the array it is found in (new, or old if removed).
/// </summary>
public static class VmDiff
{
    public static IReadOnlyList<VmChange> Compute(JsonObject oldVm, JsonObject newVm)
    {
        ArgumentNullException.ThrowIfNull(oldVm);
        ArgumentNullException.ThrowIfNull(newVm);
        var changes = new List<VmChange>();
        WalkObject(oldVm, newVm, [], changes);
        return changes;
    }

    private static void Walk(JsonNode? oldNode, JsonNode? newNode, List<VmPathSegment> path, List<VmChange> changes)
    {
        switch (oldNode, newNode)
        {
            case (JsonObject o, JsonObject n):
                WalkObject(o, n, path, changes);
                break;
            case (JsonArray o, JsonArray n):
                if (path.Count == 1 && ElementKey(path[0].ToString()) is { } key && IsKeyed(o, key) && IsKeyed(n, key))
                    WalkKeyed(o, n, key, path, changes);
                else
                    WalkIndexed(o, n, path, changes);
                break;
            default:
                if (!JsonNode.DeepEquals(oldNode, newNode))
                    changes.Add(new VmChange([.. path], VmChangeAction.Changed, oldNode?.DeepClone(), newNode?.DeepClone()));
                break;
        }
    }

    private static void WalkObject(JsonObject oldObj, JsonObject newObj, List<VmPathSegment> path, List<VmChange> changes)
    {
        foreach (var (key, oldValue) in oldObj)
        {
            path.Add(VmPathSegment.OfKey(key));
            if (newObj.TryGetPropertyValue(key, out var newValue))
                Walk(oldValue, newValue, path, changes);
            else
                changes.Add(new VmChange([.. path], VmChangeAction.Removed, oldValue?.DeepClone(), null));
            path.RemoveAt(path.Count - 1);
        }
        foreach (var (key, newValue) in newObj)
        {
            if (!oldObj.ContainsKey(key))
                changes.Add(new VmChange([.. path, VmPathSegment.OfKey(key)], VmChangeAction.Added, null, newValue?.DeepClone()));
        }
    }

    private static void WalkIndexed(JsonArray oldArray, JsonArray newArray, List<VmPathSegment> path, List<VmChange> changes)
    {
        int common = Math.Min(oldArray.Count, newArray.Count);
        for (int i = 0; i < Math.Max(oldArray.Count, newArray.Count); i++)
        {
            path.Add(VmPathSegment.OfIndex(i));
            if (i < common)
                Walk(oldArray[i], newArray[i], path, changes);
            else if (i < newArray.Count)
                changes.Add(new VmChange([.. path], VmChangeAction.Added, null, newArray[i]?.DeepClone()));
            else
                changes.Add(new VmChange([.. path], VmChangeAction.Removed, oldArray[i]?.DeepClone(), null));
            path.RemoveAt(path.Count - 1);
        }
    }

    private static void WalkKeyed(JsonArray oldArray, JsonArray newArray, string key, List<VmPathSegment> path, List<VmChange> changes)
    {
        var oldByKey = new Dictionary<string, (int Index, JsonNode Node)>(StringComparer.Ordinal);
        for (int i = 0; i < oldArray.Count; i++)
            oldByKey[KeyOf(oldArray[i]!, key)] = (i, oldArray[i]!);
        var newKeys = new HashSet<string>(newArray.Select(n => KeyOf(n!, key)), StringComparer.Ordinal);
        foreach (var (oldKey, (index, node)) in oldByKey.OrderBy(p => p.Value.Index))
        {
            if (!newKeys.Contains(oldKey))
                changes.Add(new VmChange([.. path, VmPathSegment.OfIndex(index)], VmChangeAction.Removed, node.DeepClone(), null));
        }
        for (int i = 0; i < newArray.Count; i++)
        {
            path.Add(VmPathSegment.OfIndex(i));
            if (oldByKey.TryGetValue(KeyOf(newArray[i]!, key), out var old))
                Walk(old.Node, newArray[i], path, changes);
            else
                changes.Add(new VmChange([.. path], VmChangeAction.Added, null, newArray[i]?.DeepClone()));
            path.RemoveAt(path.Count - 1);
        }
    }

    private static string? ElementKey(string property) => property switch
    {
        "snapshots" => "name",
        _ => VmProperties.Find(property)?.Key,
    };

    private static bool IsKeyed(JsonArray array, string key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in array)
        {
            if (element is not JsonObject obj || VmJson.AsString(obj[key]) is not { } value || !seen.Add(value))
                return false;
        }
        return true;
    }

    private static string KeyOf(JsonNode element, string key) => VmJson.AsString(element[key])!;
}
