using Solstice.Core;
using Solstice.Images.Sources;

namespace Solstice.Images.Import;

/// <summary>The outcome of importing one image: the image, and whether it was there already.</summary>
public sealed record ImportResult(InstalledImage Image, bool AlreadyInstalled);

/// <summary>
/// imgadm import by uuid: the manifest from the first source that has it, the origin chain first,
/// then the file streamed into .partial/ on the pool with size and SHA-1 checked before install.
/// Everything for one uuid happens under its lock, so concurrent imports of it do the work once;
/// staged files of imports that were killed are removed by the next import.
/// </summary>
public sealed class ImageImporter(ImageStore store, IReadOnlyList<IImageSource> sources, IImportProgress progress)
{
    private const int MaxOriginDepth = 64;

    public ImportResult Import(Guid uuid) => Import(uuid, 0);

    /// <summary>The manifest of uuid from the first source that has it, with that source.</summary>
    public (IImageSource Source, ImageManifest Manifest) Locate(Guid uuid)
    {
        var failures = new List<string>();
        foreach (var source in sources)
        {
            System.Text.Json.Nodes.JsonObject? json;
            try
            {
                json = source.GetManifest(uuid);
            }
            catch (SolsticeException ex) when (ex.Code is ErrorCode.Unavailable or ErrorCode.BackendFailed)
            {
                failures.Add(ex.Message);
                continue;
            }
            if (json is not null)
                return (source, ImageManifest.Parse(json.ToJsonString(), $"from {source.Config.Url}"));
        }
        if (sources.Count == 0)
            throw new SolsticeException(ErrorCode.NotFound, $"image {uuid}: no image sources are configured (add one with 'imgadm sources -a <url>')");
        string detail = failures.Count > 0 ? "; unreachable: " + string.Join("; ", failures) : "";
        throw new SolsticeException(ErrorCode.NotFound,
            $"image {uuid} was not found in image sources ({string.Join(", ", sources.Select(s => s.Config.Url))}){detail}");
    }

    private ImportResult Import(Guid uuid, int depth)
    {
        if (store.Find(uuid) is { } existing && store.Exists(uuid))
            return new ImportResult(existing, AlreadyInstalled: true);
        var (source, manifest) = Locate(uuid);
        if (manifest.Json["state"]?.ToString() is { } state && state != "active")
            throw new SolsticeException(ErrorCode.InvalidState, $"image {uuid} is not active on {source.Config.Url} (state {state})");
        if (manifest.Origin is { } originText && Guid.ParseExact(originText, "D") is var origin && !store.Exists(origin))
        {
            if (depth >= MaxOriginDepth)
                throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: origin chain deeper than {MaxOriginDepth}");
            progress.Line($"Importing origin image {origin} of {uuid}");
            Import(origin, depth + 1);
        }

        using var held = store.Lock(uuid, () => progress.Line($"Waiting for another import of image {uuid} to finish"));
        if (store.Find(uuid) is { } done && store.Exists(uuid))
            return new ImportResult(done, AlreadyInstalled: true);
        store.CleanStaleFiles();
        string partial = store.NewPartialPath(uuid);
        try
        {
            progress.Line($"Importing {uuid} ({manifest.Name}@{manifest.Version}) from \"{source.Config.Url}\"");
            string label = $"image {uuid}";
            ImageDownload.Result result;
            using (var stream = source.OpenFile(uuid, out long? announced))
            {
                if (announced is { } length && length != manifest.File.Size)
                    throw new SolsticeException(ErrorCode.InvalidArgument,
                        $"{label}: size mismatch: manifest says {manifest.File.Size} bytes, {source.Config.Url} sends {length}");
                result = ImageDownload.Save(stream, partial, manifest.File.Size, label, progress);
            }
            if (result.Size != manifest.File.Size)
                throw new SolsticeException(ErrorCode.InvalidArgument,
                    $"{label}: size mismatch: expected {manifest.File.Size} bytes, got {result.Size} (download from {source.Config.Url} cut short?)");
            if (result.Sha1 != manifest.File.Sha1)
                throw new SolsticeException(ErrorCode.InvalidArgument,
                    $"{label}: sha1 mismatch: expected {manifest.File.Sha1}, got {result.Sha1} (download from {source.Config.Url})");
            var installed = store.Install(manifest, partial, new InstallOptions { KeepFile = true, Verified = true, Locked = true });
            progress.Line($"Imported image {uuid} ({manifest.Name}@{manifest.Version})");
            return new ImportResult(installed, AlreadyInstalled: false);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
