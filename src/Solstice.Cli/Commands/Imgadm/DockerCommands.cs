using Solstice.Core;
using Solstice.Images;
using Solstice.Images.Docker;
using Solstice.Images.Import;
using Solstice.Images.Sources;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// Docker images: `imgadm import repo[:tag]` from docker sources, `imgadm show repo[:tag]`, and
/// `imgadm install-docker [-q] [-P pool] &lt;oci-layout-dir|docker-save.tar&gt; [repo[:tag]]`.
/// </summary>
public static class DockerCommands
{
    public static int ImportFromRegistry(DockerReference reference, IReadOnlyList<ImageSourceConfig> configured, ImageStore store,
        IImportProgress progress, CliContext context)
    {
        var registries = configured.Where(s => s.Type == "docker").ToList();
        if (registries.Count == 0)
            throw new SolsticeException(ErrorCode.NotFound, $"{reference}: no docker image sources are configured (add one with 'imgadm sources -a <url> -t docker')");
        var failures = new List<string>();
        foreach (var source in registries)
        {
            using var registry = new DockerRegistryClient(source.Url, source.Insecure);
            DockerImage image;
            try
            {
                image = registry.GetImage(reference);
            }
            catch (SolsticeException ex) when (ex.Code is ErrorCode.NotFound or ErrorCode.Unavailable)
            {
                failures.Add(ex.Message);
                continue;
            }
            progress.Line($"Importing {reference} ({image.Layers.Count} layer(s)) from \"{source.Url}\"");
            var result = new DockerImporter(store, progress).Import(image, reference.Repository, reference.Tag);
            Report(result, reference.ToString(), context);
            return 0;
        }
        throw new SolsticeException(ErrorCode.NotFound, $"{reference} was not found in docker sources: {string.Join("; ", failures)}");
    }

    public static int Show(string arg, CliContext context)
    {
        var reference = DockerReference.Parse(arg);
        foreach (var source in SourcesFile.Load(ImgadmTool.SourcesPath(context)).Where(s => s.Type == "docker"))
        {
            using var registry = new DockerRegistryClient(source.Url, source.Insecure);
            DockerImage image;
            try
            {
                image = registry.GetImage(reference);
            }
            catch (SolsticeException ex) when (ex.Code is ErrorCode.NotFound)
            {
                continue;
            }
            var layers = new System.Text.Json.Nodes.JsonArray(image.Layers.Select((l, i) => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["digest"] = l.Digest,
                ["size"] = l.Size,
                ["uuid"] = DockerImporter.UuidFromDigests(image.Layers.Take(i + 1).Select(x => x.Digest)).ToString(),
            }).ToArray());
            context.Out.WriteLine(ImageJson.Serialize(new System.Text.Json.Nodes.JsonObject
            {
                ["repo"] = reference.Repository,
                ["reference"] = reference.Reference,
                ["layers"] = layers,
                ["config"] = image.Config.DeepClone(),
            }));
            return 0;
        }
        throw new SolsticeException(ErrorCode.NotFound, $"{reference} was not found in docker sources");
    }

    public static int InstallLocal(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "q", "P");
        if (a.Positional.Count is 0 or > 2)
            throw new UsageException("install-docker: expected <oci-layout-dir|docker-save.tar> [repo[:tag]]");
        string path = a.Positional[0];
        string? reference = a.Positional.Count > 1 ? a.Positional[1] : null;
        var store = ImgadmTool.OpenStore(context, a.Value('P'));
        var progress = new ProgressRenderer(context, a.Has('q'));
        if (Directory.Exists(path))
            return Install(LocalDockerImages.Open(path, reference), store, progress, context);
        if (!File.Exists(path))
            throw new SolsticeException(ErrorCode.NotFound, $"{path}: no such file or directory");
        // Unpacked onto the pool under a lock of its own, so an interrupted run's leftovers are cleaned by the next.
        var scratch = Guid.NewGuid();
        using var held = store.Lock(scratch);
        string directory = store.NewPartialPath(scratch) + ".d";
        Directory.CreateDirectory(directory);
        try
        {
            LocalDockerImages.Unpack(path, directory, store.Limits);
            return Install(LocalDockerImages.Open(directory, reference, path), store, progress, context);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Install(LocalDockerImages.Loaded loaded, ImageStore store, IImportProgress progress, CliContext context)
    {
        progress.Line($"Installing {loaded.Repository}:{loaded.Tag} ({loaded.Image.Layers.Count} layer(s)) from {loaded.Image.Origin}");
        var result = new DockerImporter(store, progress).Import(loaded.Image, loaded.Repository, loaded.Tag);
        Report(result, $"{loaded.Repository}:{loaded.Tag}", context);
        return 0;
    }

    private static void Report(ImportResult result, string name, CliContext context)
    {
        context.Out.WriteLine(result.AlreadyInstalled
            ? $"Image {result.Image.Uuid} ({name}) is already installed, skipping"
            : $"Imported image {result.Image.Uuid} ({name})");
    }
}
