using System.Security.Cryptography;
using System.Text;

namespace Solstice.Integration.Tests.Storage;

/// <summary>A digest of a directory tree: relative paths, file contents and symlink targets.</summary>
public static class TreeChecksum
{
    public static string Of(string root)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var entries = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal);
        foreach (string relative in entries)
        {
            string full = Path.Combine(root, relative);
            var info = new FileInfo(full);
            sha.AppendData(Encoding.UTF8.GetBytes(relative + "\0"));
            if (info.LinkTarget is { } target)
                sha.AppendData(Encoding.UTF8.GetBytes("->" + target));
            else if (File.Exists(full))
                sha.AppendData(File.ReadAllBytes(full));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    public static void WriteRandomFile(string path, int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        File.WriteAllBytes(path, data);
    }
}
