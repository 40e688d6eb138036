using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

/// <summary>The output of `runc state` / one entry of `runc list --format json`.</summary>
/// <param name="Pid">Host pid of the container's init; 0 once it has stopped (runc) or stale (crun).</param>
public sealed record OciState(string Id, OciStatus Status, int Pid, string Bundle)
{
    /// <exception cref="FormatException">The document lacks id or status.</exception>
    public static OciState Parse(JsonNode node)
    {
        string id = (string?)node["id"] ?? throw new FormatException("runtime state has no id");
        string status = (string?)node["status"] ?? throw new FormatException($"runtime state of '{id}' has no status");
        int pid = node["pid"] is JsonValue p && p.TryGetValue(out int value) ? value : 0;
        string bundle = (string?)node["bundle"] ?? "";
        return new OciState(id, ParseStatus(status), pid, bundle);
    }

    public static OciStatus ParseStatus(string status) => status switch
    {
        "creating" => OciStatus.Creating,
        "created" => OciStatus.Created,
        "running" => OciStatus.Running,
        "paused" => OciStatus.Paused,
        "stopped" => OciStatus.Stopped,
        _ => OciStatus.Unknown,
    };
}
