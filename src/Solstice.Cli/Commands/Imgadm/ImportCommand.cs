using Solstice.Images.Docker;
using Solstice.Images.Import;
using Solstice.Images.Sources;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm import [-q] [-P pool] [-S url] &lt;uuid|repo[:tag]&gt;`: an image by uuid from the imgapi and
/// dir sources (or only from -S url), origins first; a docker reference from the docker sources.
/// </summary>
public static class ImportCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "q", "PS");
        string arg = ImgadmTool.SingleUuidArgument(a, "import");
        var store = ImgadmTool.OpenStore(context, a.Value('P'));
        var progress = new ProgressRenderer(context, a.Has('q'));
        bool byUuid = Guid.TryParseExact(arg, "D", out var uuid);
        var configured = a.Value('S') is { } only
            ? [new ImageSourceConfig(ImageSourceConfig.Normalize(only), !byUuid ? "docker" : IsDirectory(only) ? "dir" : "imgapi")]
            : SourcesFile.Load(ImgadmTool.SourcesPath(context));

        if (!byUuid)
            return DockerCommands.ImportFromRegistry(DockerReference.Parse(arg), configured, store, progress, context);

        var sources = ImageSources.OpenAll(configured);
        try
        {
            var result = new ImageImporter(store, sources, progress).Import(uuid);
            var manifest = result.Image.Manifest;
            if (result.AlreadyInstalled)
                context.Out.WriteLine($"Image {uuid} ({manifest.Name}@{manifest.Version}) is already installed, skipping");
            return 0;
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
    }

    private static bool IsDirectory(string url) => url.StartsWith("file://", StringComparison.Ordinal) || Directory.Exists(url);
}
