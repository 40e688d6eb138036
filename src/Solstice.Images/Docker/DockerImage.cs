using System.Text.Json.Nodes;

namespace Solstice.Images.Docker;

/// <summary>One layer of an image as its manifest lists it: the blob digest, media type and size.</summary>
public sealed record DockerLayer(string Digest, string MediaType, long? Size);

/// <summary>
/// A docker/OCI image ready to import, whatever it came from (a registry, an OCI layout, a docker
/// save archive): its config, its layers base first, and a way to open each blob.
/// </summary>
public sealed class DockerImage(JsonObject config, IReadOnlyList<DockerLayer> layers, Func<DockerLayer, Stream> openBlob, string origin)
{
    /// <summary>The image config (architecture, os, config.Cmd…, rootfs.diff_ids, history).</summary>
    public JsonObject Config { get; } = config;

    public IReadOnlyList<DockerLayer> Layers { get; } = layers;

    /// <summary>Where it came from, for messages ("registry http://…", "OCI layout /path").</summary>
    public string Origin { get; } = origin;

    public Stream OpenBlob(DockerLayer layer) => openBlob(layer);
}
