using System.Text.Json.Nodes;

namespace Solstice.Node;

/// <summary>Where a VM is in its create/delete flow; anything but Ready is unfinished after a crash.</summary>
public enum VmPhase { Provisioning, Ready, Deleting }

/// <summary>
/// A VM as persisted: the vmadm object (only stored properties; runtime ones such as state and
/// pid are derived on read) and the phase marker that crash recovery acts on.
/// </summary>
public sealed record VmRecord(string Uuid, VmPhase Phase, JsonObject Vm)
{
    public JsonObject ToJson() => new()
    {
        ["phase"] = Phase.ToString().ToLowerInvariant(),
        ["vm"] = Vm.DeepClone(),
    };

    public static VmRecord FromJson(string uuid, JsonObject json) => new(
        uuid,
        Enum.Parse<VmPhase>(json["phase"]?.GetValue<string>() ?? "ready", ignoreCase: true),
        json["vm"] as JsonObject ?? throw new InvalidDataException($"VM record {uuid} has no vm object"));
}
