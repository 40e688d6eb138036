using System.Text;
using Solstice.Core;
using Solstice.Images.Index;
using Solstice.Images.Sources;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm avail [-jH] [-o field,...] [-s field,...] [filters]`: the images of every imgapi and dir
/// source (an image in several sources is shown once, from the first), formatted as list does, with
/// the computed field "source".
/// </summary>
public static class AvailCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "jH", "os");
        var rows = new List<ListCommand.Row>();
        var seen = new HashSet<Guid>();
        foreach (var source in ImageSources.OpenAll(SourcesFile.Load(ImgadmTool.SourcesPath(context))))
        {
            using (source)
            {
                foreach (var manifest in source.ListImages())
                {
                    if (manifest["uuid"]?.ToString() is not { } text || !Guid.TryParseExact(text, "D", out var uuid) || !seen.Add(uuid))
                        continue;
                    if (manifest["state"]?.ToString() is { } state && state != "active")
                        continue;
                    var image = new IndexedImage(uuid, Encoding.UTF8.GetBytes(manifest.ToJsonString()), "");
                    rows.Add(new ListCommand.Row(image, null, source.Config.Url));
                }
            }
        }
        return ListCommand.Print(rows, a, context);
    }
}

/// <summary>`imgadm show &lt;uuid&gt;`: the manifest from the first source that has it.</summary>
public static class ShowCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "");
        string arg = ImgadmTool.SingleUuidArgument(a, "show");
        if (!Guid.TryParseExact(arg, "D", out var uuid))
            return DockerCommands.Show(arg, context);
        var sources = ImageSources.OpenAll(SourcesFile.Load(ImgadmTool.SourcesPath(context)));
        try
        {
            foreach (var source in sources)
            {
                if (source.GetManifest(uuid) is { } manifest)
                {
                    context.Out.WriteLine(Solstice.Images.ImageJson.Serialize(manifest));
                    return 0;
                }
            }
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
        throw new SolsticeException(ErrorCode.NotFound,
            $"image {uuid} was not found in image sources ({string.Join(", ", sources.Select(s => s.Config.Url))})");
    }
}
