using Solstice.Core;
using Solstice.Images;
using Solstice.Storage;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// imgadm(8) for locally installed images. Exit status as SmartOS imgadm: 0 ok, 1 error, 2 usage,
/// 3 image not installed (its ImageNotInstalled error, from get and delete alike).
/// </summary>
public static class ImgadmTool
{
    public const string Usage = """
        usage: imgadm <command> [options]

        commands:
          sources [-j|-v] [-a <url> [-t imgapi|docker|dir] [-k] [-f]] [-d <url>] [-c]
                                 list, add (pinged unless -f), delete or check image sources
          avail [-jH] [-o field,...] [-s field,...] [field=value ...]
                                 images available from the imgapi and dir sources
          show <uuid|repo[:tag]> the manifest of an image in the sources
          import [-q] [-P pool] [-S url] <uuid|repo[:tag]>
                                 download and install an image (origins first) or a docker image
          install [-q] [-P pool] -m <manifest> -f <file>
                                 install an image from a local manifest and file
          install-docker [-q] [-P pool] <oci-layout-dir|docker-save.tar> [repo[:tag]]
                                 install a docker image from an OCI layout or a docker save archive
          list [-jH] [-o field,...] [-s field,...] [-P pool] [field=value ...]
                                 list installed images (filters: field=value, field=~substring)
          get [-P pool] <uuid>   print {manifest, zpool} of an installed image as JSON
          delete [-P pool] <uuid>
                                 remove an installed image (refused while clones of it exist)
          create [-m manifest|-] [-o path] [-c none|gzip|bzip2|xz|zstd] [-P pool] <vm-uuid> [field=value ...]
                                 make an image from a prepared (stopped) zone
          publish [-q] -m <manifest> -f <file> <imgapi-url>
                                 upload an image to an IMGAPI server

        exit status: 0 ok, 1 error, 2 usage, 3 image not installed
        """;

    // Commands of SmartOS imgadm that Solstice does not have.
    private static readonly HashSet<string> s_notYet = ["update", "ancestry", "vacuum"];

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
        {
            context.Error.Write(Usage);
            return ExitCodes.Usage;
        }
        if (args[0] is "help" or "-h" or "--help")
        {
            context.Out.Write(Usage);
            return ExitCodes.Ok;
        }
        var rest = args.Skip(1).ToList();
        if (rest.Any(a => a is "-h" or "--help"))
        {
            context.Out.Write(Usage);
            return ExitCodes.Ok;
        }
        try
        {
            return args[0] switch
            {
                "install" => InstallCommand.Run(rest, context),
                "install-docker" => DockerCommands.InstallLocal(rest, context),
                "import" => ImportCommand.Run(rest, context),
                "sources" => SourcesCommand.Run(rest, context),
                "avail" or "available" => AvailCommand.Run(rest, context),
                "show" => ShowCommand.Run(rest, context),
                "publish" => PublishCommand.Run(rest, context),
                "create" => CreateCommand.Run(rest, context),
                "list" => ListCommand.Run(rest, context),
                "get" or "info" => GetCommand.Run(rest, context),
                "delete" or "destroy" => DeleteCommand.Run(rest, context),
                _ when s_notYet.Contains(args[0]) => throw new SolsticeException(ErrorCode.NotSupported,
                    $"'imgadm {args[0]}' is not supported yet"),
                _ => throw new UsageException($"unknown command '{args[0]}'\n{Usage}"),
            };
        }
        catch (ImageNotInstalledException ex)
        {
            context.Error.WriteLine($"imgadm: error: {ex.Message}");
            return ExitCodes.ImageNotInstalled;
        }
        catch (SolsticeException ex)
        {
            context.Error.WriteLine($"imgadm: error: {ex.Message}");
            return ExitCodes.For(ex.Code);
        }
    }

    /// <summary>The image store on -P pool, else on "zones" when configured, else on the first pool.</summary>
    internal static ImageStore OpenStore(CliContext context, string? pool)
    {
        var nodes = Nodes.Load(context);
        var config = pool is not null ? nodes.Config.Pool(pool) : DefaultPool(nodes.Config);
        return new ImageStore(nodes.Manager.Open(config)) { Limits = ImageLimits.From(nodes.Config.Images) };
    }

    /// <summary>Stores on every imported pool, or only on -P pool.</summary>
    internal static IReadOnlyList<ImageStore> OpenStores(CliContext context, string? pool)
    {
        if (pool is not null)
            return [OpenStore(context, pool)];
        var nodes = Nodes.Load(context);
        return nodes.ImportedPools().Select(p => new ImageStore(p) { Limits = ImageLimits.From(nodes.Config.Images) }).ToList();
    }

    /// <summary>imgadm.json beside the node config.</summary>
    internal static string SourcesPath(CliContext context) =>
        Images.Sources.SourcesFile.PathBeside(Nodes.Load(context).Config.SourcePath ?? NodeConfig.ConfiguredPath);

    private static PoolConfig DefaultPool(NodeConfig config) =>
        config.Pools.FirstOrDefault(p => p.Name == "zones") ?? config.Pools[0];

    internal static Guid ParseUuid(string text) =>
        Guid.TryParseExact(text, "D", out var uuid) ? uuid : throw new UsageException($"'{text}' is not an image uuid");

    internal static string SingleUuidArgument(Arguments a, string command) => a.Positional.Count switch
    {
        0 => throw new UsageException($"{command}: missing <uuid> argument"),
        1 => a.Positional[0],
        _ => throw new UsageException($"{command}: too many arguments: {string.Join(' ', a.Positional.Skip(1))}"),
    };
}
