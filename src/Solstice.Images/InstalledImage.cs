using System.Text.Json.Nodes;

namespace Solstice.Images;

/// <summary>An image installed on a pool: its manifest and the pool (imgadm's "zpool").</summary>
public sealed record InstalledImage(ImageManifest Manifest, string Pool)
{
    public Guid Uuid => Manifest.Uuid;

    /// <summary>imgadm's image info object: {"manifest": …, "zpool": …}.</summary>
    public JsonObject ToJson() => new()
    {
        ["manifest"] = Manifest.Json.DeepClone(),
        ["zpool"] = Pool,
    };
}
