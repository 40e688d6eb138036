using System.Security.Cryptography;
using Solstice.Core;

namespace Solstice.Images.Import;

/// <summary>
/// Streams an image file into a staging file on the pool, counting and hashing as it goes, so the
/// size and digests are known (and checked) before anything is installed. It stops as soon as more
/// bytes arrive than expected.
/// </summary>
public static class ImageDownload
{
    public sealed record Result(long Size, string Sha1, string Sha256);

    public static Result Save(Stream source, string path, long? expectedSize, string label, IImportProgress progress)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        progress.Begin(label, expectedSize);
        try
        {
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            byte[] buffer = new byte[1 << 17];
            int read;
            while ((read = ReadSome(source, buffer, label)) > 0)
            {
                total += read;
                if (expectedSize is { } limit && total > limit)
                    throw new SolsticeException(ErrorCode.InvalidArgument, $"{label}: size mismatch: more than the expected {limit} bytes arrived");
                sha1.AppendData(buffer, 0, read);
                sha256.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                progress.Advance(total);
            }
        }
        finally
        {
            progress.End();
        }
        return new Result(total, Convert.ToHexStringLower(sha1.GetHashAndReset()), Convert.ToHexStringLower(sha256.GetHashAndReset()));
    }

    private static int ReadSome(Stream source, byte[] buffer, string label)
    {
        try
        {
            return source.Read(buffer);
        }
        catch (IOException ex)
        {
            throw new SolsticeException(ErrorCode.Unavailable, $"{label}: download interrupted: {ex.Message}", ex);
        }
    }
}
