using System.Security.Cryptography;
using Solstice.Core;
using Solstice.Images;
using Solstice.Images.Imgapi;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// `imgadm publish [-q] -m manifest -f file &lt;imgapi-url&gt;`: the manifest (POST ?action=import),
/// the file (PUT …/file, size and sha1 checked here first and by the server), then activate; a
/// failure part way deletes the half-published image again.
/// </summary>
public static class PublishCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "q", "mf");
        string manifestPath = a.Value('m') ?? throw new UsageException("publish: missing -m <manifest>");
        string filePath = a.Value('f') ?? throw new UsageException("publish: missing -f <file>");
        if (a.Positional.Count != 1)
            throw new UsageException("publish: expected exactly one <imgapi-url>");
        string url = a.Positional[0];
        string text;
        try
        {
            text = File.ReadAllText(manifestPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"image manifest {manifestPath}: {ex.Message}", ex);
        }
        var manifest = ImageManifest.Parse(text, manifestPath);
        using var file = OpenFile(filePath);
        if (file.Length != manifest.File.Size)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {manifest.Uuid}: size mismatch: manifest says {manifest.File.Size} bytes, {filePath} has {file.Length}");
        string sha1 = Convert.ToHexStringLower(SHA1.HashData(file));
        if (sha1 != manifest.File.Sha1)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {manifest.Uuid}: sha1 mismatch: manifest says {manifest.File.Sha1}, {filePath} has {sha1}");
        file.Position = 0;

        using var client = new ImgapiClient(url);
        var uuid = manifest.Uuid;
        client.ImportManifest(uuid, manifest.Json);
        try
        {
            if (!a.Has('q'))
                context.Out.WriteLine($"Uploading image {uuid} file ({ProgressRenderer.Size(file.Length)}) to {url}");
            client.AddFile(uuid, file, file.Length, sha1, manifest.File.Compression);
            client.Activate(uuid);
        }
        catch (SolsticeException)
        {
            try
            {
                client.Delete(uuid);
            }
            catch (SolsticeException)
            {
                // The original failure is what the user needs to see.
            }
            throw;
        }
        context.Out.WriteLine($"Successfully published image {uuid} ({manifest.Name}@{manifest.Version}) to {url}");
        return 0;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"image file {path}: {ex.Message}", ex);
        }
    }
}
