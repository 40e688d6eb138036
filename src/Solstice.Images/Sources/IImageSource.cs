using System.Text.Json.Nodes;

namespace Solstice.Images.Sources;

/// <summary>Where imgadm finds images to import: an IMGAPI server or a directory of manifests and files.</summary>
public interface IImageSource : IDisposable
{
    ImageSourceConfig Config { get; }

    /// <summary>Checks the source answers as its type should; throws SolsticeException(Unavailable) when not.</summary>
    void Ping();

    /// <summary>Every active image's manifest (imgadm avail).</summary>
    IReadOnlyList<JsonObject> ListImages();

    /// <summary>The image's manifest, or null when this source does not have it.</summary>
    JsonObject? GetManifest(Guid uuid);

    /// <summary>Opens the image file; length is the size the source announces, when it does.</summary>
    Stream OpenFile(Guid uuid, out long? length);
}
