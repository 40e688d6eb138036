namespace Solstice.Cli.Commands.Imgadm;

/// <summary>`imgadm install [-q] [-P pool] -m manifest -f file`: verify, extract, snapshot @final, index.</summary>
public static class InstallCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "q", "mfP");
        string manifest = a.Value('m') ?? throw new UsageException("install: missing -m <manifest>");
        string file = a.Value('f') ?? throw new UsageException("install: missing -f <file>");
        if (a.Positional.Count > 0)
            throw new UsageException($"install: unexpected arguments: {string.Join(' ', a.Positional)}");
        var store = ImgadmTool.OpenStore(context, a.Value('P'));
        var image = store.Install(manifest, file);
        if (!a.Has('q'))
            context.Out.WriteLine($"Installed image {image.Uuid} ({image.Manifest.Name}@{image.Manifest.Version}) to \"{store.DatasetOf(image.Uuid)}\"");
        return 0;
    }
}
