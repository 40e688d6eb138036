using System.Text.Json;
using System.Text.Json.Nodes;

namespace Solstice.Images.Docker;

/// <summary>
/// What a zone running a docker image needs from the image: the process (Entrypoint + Cmd), its
/// environment, working directory and user, and the ports the image declares. Read from the
/// manifest's tags["docker:config"], which the import put on the image's top layer.
/// </summary>
public sealed record DockerRuntimeConfig(
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string? WorkingDir,
    string? User,
    IReadOnlyList<string> ExposedPorts,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The argv to run: Entrypoint followed by Cmd, as docker does when neither is overridden.</summary>
    public IReadOnlyList<string> Argv => [.. Entrypoint, .. Cmd];

    /// <summary>
    /// The config of an installed docker image, looked up on the image and then along its origin
    /// chain; null when the image is not installed or carries no docker config (not a docker image).
    /// </summary>
    public static DockerRuntimeConfig? Of(ImageStore store, Guid uuid)
    {
        for (int depth = 0; depth < 128 && store.Find(uuid) is { } image; depth++)
        {
            if (FromManifest(image.Manifest) is { } config)
                return config;
            if (image.Manifest.Origin is not { } origin || !Guid.TryParseExact(origin, "D", out uuid))
                return null;
        }
        return null;
    }

    public static DockerRuntimeConfig? FromManifest(ImageManifest manifest)
    {
        if (manifest.Json["tags"]?[DockerImporter.ConfigTag] is not JsonObject config)
            return null;
        return new DockerRuntimeConfig(
            Strings(config["Entrypoint"]),
            Strings(config["Cmd"]),
            Strings(config["Env"]),
            NonEmpty(config["WorkingDir"]),
            NonEmpty(config["User"]),
            config["ExposedPorts"] is JsonObject ports ? ports.Select(p => p.Key).Order(StringComparer.Ordinal).ToList() : [],
            config["Labels"] is JsonObject labels
                ? labels.Where(l => l.Value?.GetValueKind() == JsonValueKind.String).ToDictionary(l => l.Key, l => l.Value!.GetValue<string>())
                : new Dictionary<string, string>());
    }

    private static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n?.ToString() ?? "").ToList(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => ["/bin/sh", "-c", value.GetValue<string>()],
        _ => [],
    };

    private static string? NonEmpty(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text ? text : null;
}
