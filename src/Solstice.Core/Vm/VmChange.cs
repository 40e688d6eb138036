using System.Globalization;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>One step of a change path: an object key or an array index.</summary>
public readonly record struct VmPathSegment
{
    private VmPathSegment(string? key, int index)
    {
        Key = key;
        Index = index;
    }

    /// <summary>The object key, or null for an array index.</summary>
    public string? Key { get; }

    public int Index { get; }

    public bool IsIndex => Key is null;

    public static VmPathSegment OfKey(string key) => new(key, -1);

    public static VmPathSegment OfIndex(int index) => new(null, index);

    public JsonNode ToJson() => Key is null ? JsonValue.Create(Index) : JsonValue.Create(Key);

    public override string ToString() => Key ?? Index.ToString(CultureInfo.InvariantCulture);
}

public enum VmChangeAction
{
    Added,
    Removed,
    Changed,
}

/// <summary>
/// One entry of a vminfod event's <c>changes[]</c> (smartos-interfaces.md §1.7). <see cref="OldValue"/> is
/// meaningless for <see cref="VmChangeAction.Added"/> and <see cref="NewValue"/> for
/// <see cref="VmChangeAction.Removed"/>; both are then omitted from <see cref="ToJson"/>.
/// </summary>
public sealed record VmChange(IReadOnlyList<VmPathSegment> Path, VmChangeAction Action, JsonNode? OldValue, JsonNode? NewValue)
{
    /// <summary>The path joined with dots: <c>nics.0.ips</c>, <c>tags.role</c>.</summary>
    public string PrettyPath => string.Join('.', Path);

    /// <summary>The top-level property the change belongs to.</summary>
    public string Property => Path.Count > 0 ? Path[0].ToString() : "";

    public string ActionName => Action switch
    {
        VmChangeAction.Added => "added",
        VmChangeAction.Removed => "removed",
        _ => "changed",
    };

    public JsonObject ToJson()
    {
        var path = new JsonArray();
        foreach (var segment in Path)
            path.Add(segment.ToJson());
        var json = new JsonObject
        {
            ["path"] = path,
            ["prettyPath"] = PrettyPath,
            ["action"] = ActionName,
        };
        if (Action != VmChangeAction.Added)
            json["oldValue"] = OldValue?.DeepClone();
        if (Action != VmChangeAction.Removed)
            json["newValue"] = NewValue?.DeepClone();
        return json;
    }
}
