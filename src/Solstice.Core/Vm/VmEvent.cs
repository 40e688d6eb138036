using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// A vminfod event as <c>vmadm events</c> sees it (smartos-interfaces.md §1.7). <see cref="Type"/> is
/// <c>create</c>, <c>modify</c>, <c>delete</c>, or <c>ready</c> (the marker <c>-r</c> asks for).
/// </summary>
public sealed record VmEvent(string Type, DateTimeOffset Date, string? Zonename, string? Uuid)
{
    public const string Create = "create";
    public const string Modify = "modify";
    public const string Delete = "delete";
    public const string Ready = "ready";

    /// <summary>The VM object after the event (absent on delete).</summary>
    public JsonObject? Vm { get; init; }

    /// <summary>What a modify event changed.</summary>
    public IReadOnlyList<VmChange>? Changes { get; init; }

    /// <summary>A modify event for the difference between two VM objects.</summary>
    public static VmEvent Modified(JsonObject oldVm, JsonObject newVm, DateTimeOffset date) =>
        new(Modify, date, VmJson.AsString(newVm["zonename"]), VmJson.AsString(newVm["uuid"]))
        {
            Vm = newVm,
            Changes = VmDiff.Compute(oldVm, newVm),
        };

    /// <summary>The event object as <c>vmadm events -j</c> prints it (keys type, date, zonename, uuid, vm, changes).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["type"] = Type,
            ["date"] = VmJson.FormatTimestamp(Date),
        };
        if (Zonename is not null)
            json["zonename"] = Zonename;
        if (Uuid is not null)
            json["uuid"] = Uuid;
        if (Vm is not null)
            json["vm"] = Vm.DeepClone();
        if (Changes is not null)
        {
            var changes = new JsonArray();
            foreach (var change in Changes)
                changes.Add((JsonNode)change.ToJson());
            json["changes"] = changes;
        }
        return json;
    }
}
