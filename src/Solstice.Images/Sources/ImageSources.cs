using Solstice.Core;

namespace Solstice.Images.Sources;

/// <summary>Opens configured sources by type.</summary>
public static class ImageSources
{
    /// <summary>An imgapi or dir source; docker registries are reached through DockerRegistryClient instead.</summary>
    public static IImageSource Open(ImageSourceConfig config) => config.Type switch
    {
        "imgapi" => new ImgapiSource(config),
        "dir" => new DirectorySource(config),
        _ => throw new SolsticeException(ErrorCode.NotSupported, $"image source {config.Url}: type '{config.Type}' does not serve images by uuid"),
    };

    /// <summary>Every source that serves images by uuid, in configured order.</summary>
    public static List<IImageSource> OpenAll(IEnumerable<ImageSourceConfig> configs) =>
        configs.Where(c => c.Type is "imgapi" or "dir").Select(Open).ToList();
}
