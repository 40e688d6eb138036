using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images;
using Solstice.Images.Docker;
using Solstice.Images.Sources;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm sources [-j] [-v]`, `-a url [-t imgapi|docker|dir] [-k] [-f]`, `-d url`, `-c`: the list
/// of image sources in imgadm.json beside the node config. Adding pings the source unless -f.
/// </summary>
public static class SourcesCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "jvkfc", "adt");
        if (a.Positional.Count > 0)
            throw new UsageException($"sources: unexpected arguments: {string.Join(' ', a.Positional)}");
        string path = ImgadmTool.SourcesPath(context);
        var sources = SourcesFile.Load(path);
        if (a.Value('a') is { } add)
        {
            string type = a.Value('t') ?? "imgapi";
            if (!ImageSourceConfig.Types.Contains(type))
                throw new UsageException($"sources: unknown source type '{type}' (imgapi, docker or dir)");
            var source = new ImageSourceConfig(ImageSourceConfig.Normalize(add), type, a.Has('k'));
            if (sources.Any(s => s.Url == source.Url))
            {
                context.Out.WriteLine($"Already have image source '{source.Url}', no change");
                return 0;
            }
            if (!a.Has('f'))
                Ping(source);
            sources.Add(source);
            SourcesFile.Save(path, sources);
            context.Out.WriteLine($"Added \"{type}\" image source \"{source.Url}\"");
            return 0;
        }
        if (a.Value('d') is { } delete)
        {
            string url = ImageSourceConfig.Normalize(delete);
            if (sources.RemoveAll(s => s.Url == url) == 0)
            {
                context.Out.WriteLine($"Do not have image source '{url}', no change");
                return 0;
            }
            SourcesFile.Save(path, sources);
            context.Out.WriteLine($"Deleted image source \"{url}\"");
            return 0;
        }
        if (a.Has('c'))
        {
            int failures = 0;
            foreach (var source in sources)
            {
                try
                {
                    Ping(source);
                    context.Out.WriteLine($"{source.Url}: ok");
                }
                catch (SolsticeException ex)
                {
                    failures++;
                    context.Out.WriteLine($"{source.Url}: {ex.Message}");
                }
            }
            return failures == 0 ? 0 : 1;
        }
        if (a.Has('j'))
        {
            context.Out.WriteLine(ImageJson.Serialize(new JsonArray(sources.Select(s => (JsonNode)s.ToJson()).ToArray())));
            return 0;
        }
        if (a.Has('v'))
        {
            var rows = sources.Select(s => (IReadOnlyList<string>)[s.Url, s.Type, s.Insecure ? "true" : "false"]).ToList();
            context.Out.Write(TextTable.Render(["URL", "TYPE", "INSECURE"], rows, scripted: false));
            return 0;
        }
        foreach (var source in sources)
            context.Out.WriteLine(source.Url);
        return 0;
    }

    private static void Ping(ImageSourceConfig source)
    {
        if (source.Type == "docker")
        {
            using var registry = new DockerRegistryClient(source.Url, source.Insecure);
            registry.Ping();
            return;
        }
        using var opened = ImageSources.Open(source);
        opened.Ping();
    }
}
