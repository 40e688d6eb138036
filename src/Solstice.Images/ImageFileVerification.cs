using System.Security.Cryptography;
using Solstice.Core;

namespace Solstice.Images;

/// <summary>
/// Checks an image file's SHA-1 against its manifest on a thread of its own, through a handle of
/// its own, optionally writing a copy of what it reads. Install starts it before extracting, so
/// the hash runs on another core instead of in a read pass of its own ahead of the extraction,
/// and calls Complete before anything is snapshotted or indexed.
/// </summary>
internal sealed class ImageFileVerification : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task _task;

    private ImageFileVerification(ImageManifest manifest, string path, string? copyTo) =>
        _task = Task.Factory.StartNew(() => Check(manifest, path, copyTo, _cancel.Token), _cancel.Token,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static ImageFileVerification Start(ImageManifest manifest, string path, string? copyTo) => new(manifest, path, copyTo);

    /// <summary>Waits for the check and throws its failure, a SolsticeException naming both SHA-1s.</summary>
    public void Complete() => _task.GetAwaiter().GetResult();

    /// <summary>Stops a check still running, so nothing writes the copy once the caller removes it.</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        try
        {
            _task.Wait();
        }
        catch (AggregateException)
        {
            // Reported through Complete, or moot after the caller's own failure.
        }
        _cancel.Dispose();
    }

    /// <summary>Checks the SHA-1 in one read, writing a copy to copyTo on the way when asked.</summary>
    public static void Check(ImageManifest manifest, string path, string? copyTo, CancellationToken ct)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var copy = copyTo is null ? null : new FileStream(copyTo, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        byte[] buffer = new byte[1 << 20];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
            copy?.Write(buffer, 0, read);
        }
        string sha1 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (sha1 != manifest.File.Sha1)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {manifest.Uuid}: sha1 mismatch: expected {manifest.File.Sha1}, got {sha1} ({path})");
    }
}
