using System.Text.Json.Nodes;

namespace Solstice.TestKit;

/// <summary>An image file and manifest written by TestImageBuilder.</summary>
public sealed record TestImage(Guid Uuid, string ManifestPath, string FilePath, JsonObject Manifest)
{
    /// <summary>Rewrites the manifest after changing it (e.g. a wrong sha1).</summary>
    public void SaveManifest() => File.WriteAllText(ManifestPath, Manifest.ToJsonString());
}
