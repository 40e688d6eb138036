using System.Text.Json;
using System.Text.Json.Nodes;

namespace Solstice.Core.Protocol;

/// <summary>
/// The node socket speaks newline-delimited JSON. A request is {"op": "...", "args": {...}};
/// a reply is {"ok": true, "result": ...} or {"ok": false, "error": {"code": "...", "message": "..."}}.
/// Streaming operations (events, console) answer once, then send further lines or raw bytes.
/// </summary>
public static class NodeProtocol
{
    /// <summary>
    /// Longest request line the daemon reads (4 MiB): a vmadm payload with a VM's whole metadata
    /// (at most 4 MiB by default, docs/metadata.md) fits; anything longer is refused unread.
    /// Image imports do not travel over this socket. Replies are not bounded.
    /// </summary>
    public const int MaxRequestBytes = 4 << 20;

    public const string DefaultSocket = "/run/solstice/node.sock";

    /// <summary>An explicit path wins, then SOLSTICE_SOCKET, then the node config's, then the default.</summary>
    public static string SocketPath(string? explicitPath = null, string? configured = null) =>
        explicitPath ?? (Environment.GetEnvironmentVariable("SOLSTICE_SOCKET") is { Length: > 0 } env ? env : configured ?? DefaultSocket);

    public static JsonObject Request(string op, JsonObject? args = null) => new() { ["op"] = op, ["args"] = args ?? new JsonObject() };

    public static JsonObject Success(JsonNode? result = null) => new() { ["ok"] = true, ["result"] = result };

    public static JsonObject Failure(ErrorCode code, string message) =>
        new() { ["ok"] = false, ["error"] = new JsonObject { ["code"] = code.ToString(), ["message"] = message } };

    /// <summary>
    /// A reply may carry warnings beside its result or error: {"ok": ..., "warnings": ["..."]}
    /// (vmadm create and update: the properties they dropped, as VM.js logs them).
    /// </summary>
    public static void AddWarnings(JsonObject reply, IEnumerable<string> warnings)
    {
        var array = new JsonArray();
        foreach (string warning in warnings)
            array.Add((JsonNode)JsonValue.Create(warning));
        reply[WarningsProperty] = array;
    }

    /// <summary>The warnings a reply carries, in order; none when it has none.</summary>
    public static IEnumerable<string> Warnings(JsonObject reply) =>
        reply[WarningsProperty] is JsonArray array
            ? array.Select(w => w is JsonValue value && value.TryGetValue(out string? text) ? text : null).OfType<string>()
            : [];

    private const string WarningsProperty = "warnings";

    public static string Serialize(JsonNode node) => node.ToJsonString(s_compact);

    /// <summary>Returns the result of a reply, or throws the SolsticeException it carries.</summary>
    public static JsonNode? Unwrap(JsonObject reply)
    {
        if (reply["ok"]?.GetValue<bool>() == true)
            return reply["result"];
        var error = reply["error"] as JsonObject;
        string message = error?["message"]?.GetValue<string>() ?? "unknown error from solsticed";
        var code = Enum.TryParse<ErrorCode>(error?["code"]?.GetValue<string>(), out var c) ? c : ErrorCode.Internal;
        throw new SolsticeException(code, message);
    }

    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };
}
