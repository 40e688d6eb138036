using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core;
using Solstice.Images.Create;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm create [-m manifest|-] [-o path] [-c none|gzip|bzip2|xz|zstd] [-P pool] &lt;vm-uuid&gt; [field=value ...]`:
/// values parse as JSON when they can, else are strings. Refused while the daemon reports the zone running.
/// </summary>
public static class CreateCommand
{
    // Manifest fields that are strings: "version=1.2" must not become the number 1.2.
    private static readonly HashSet<string> s_stringFields = ["name", "version", "description", "homepage", "eula", "os", "type", "owner", "uuid", "origin"];

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "q", "mocP");
        if (a.Positional.Count == 0)
            throw new UsageException("create: missing <vm-uuid>");
        if (!Guid.TryParseExact(a.Positional[0], "D", out var vm))
            throw new UsageException($"create: '{a.Positional[0]}' is not a VM uuid");
        var fields = a.Value('m') is { } manifest ? ReadManifest(manifest, context) : [];
        foreach (string pair in a.Positional.Skip(1))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new UsageException($"create: '{pair}' is not field=value");
            string field = pair[..eq], value = pair[(eq + 1)..];
            fields[field] = s_stringFields.Contains(field) ? JsonValue.Create(value) : ParseValue(value);
        }
        RefuseIfRunning(vm, context);
        var store = ImgadmTool.OpenStore(context, a.Value('P'));
        var created = new ImageCreator(store.Pool).Create(vm, fields, a.Value('o'), a.Value('c') ?? "none");
        foreach (string skipped in created.Skipped)
            context.Error.WriteLine($"imgadm: warning: left out of the image (socket or device node): {skipped}");
        var m = created.Manifest;
        context.Out.WriteLine($"Created image {m.Uuid} ({m.Name}@{m.Version}): {created.ManifestPath} and {created.FilePath}");
        return 0;
    }

    private static JsonObject ReadManifest(string path, CliContext context)
    {
        try
        {
            using var input = path == "-" ? context.OpenStandardInput() : File.OpenRead(path);
            using var reader = new StreamReader(input);
            return StrictJson.ParseObject(reader.ReadToEnd(), $"manifest {path}");
        }
        catch (IOException ex)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"manifest {path}: {ex.Message}", ex);
        }
    }

    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return StrictJson.Parse(System.Text.Encoding.UTF8.GetBytes(text), "value");
        }
        catch (SolsticeException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>A zone being written to while it is archived makes an inconsistent image; without a daemon no zone runs.</summary>
    private static void RefuseIfRunning(Guid vm, CliContext context)
    {
        JsonNode? info;
        try
        {
            info = NodeClient.CallOnce(NodeOps.VmGet, new JsonObject { ["uuid"] = vm.ToString() }, context.SocketPath);
        }
        catch (SolsticeException ex) when (ex.Code is ErrorCode.Unavailable or ErrorCode.NotFound)
        {
            return;
        }
        if (info?["state"]?.ToString() is { } state && state is not ("stopped" or "installed"))
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {vm} is {state}: stop it before creating an image from it");
    }
}
