using System.Text.Json.Nodes;
using Solstice.Images.Imgapi;

namespace Solstice.Images.Sources;

/// <summary>An IMGAPI server as an image source.</summary>
public sealed class ImgapiSource(ImageSourceConfig config) : IImageSource
{
    private readonly ImgapiClient _client = new(config.Url, config.Insecure);

    public ImageSourceConfig Config { get; } = config;

    public void Ping() => _client.Ping();

    public IReadOnlyList<JsonObject> ListImages() => _client.ListImages();

    public JsonObject? GetManifest(Guid uuid) => _client.GetImage(uuid);

    public Stream OpenFile(Guid uuid, out long? length) => _client.OpenFile(uuid, out length);

    public void Dispose() => _client.Dispose();
}
