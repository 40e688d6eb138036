using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// Crash-safe file replacement: write a temp file, fsync it, rename over, fsync the directory.
/// Files are created readable by their owner only (0600) unless a caller asks for more: node
/// state (VM records and their customer metadata, firewall rules, configs) is root's alone. The
/// mode is set when the temp file is created, so the file is never readable by others even briefly.
/// </summary>
public static class AtomicFile
{
    /// <summary>0600: what every state file gets by default.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0644: for files meant to be read by others (a manifest written for the user).</summary>
    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = PrivateMode)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 1,
                UnixCreateMode = mode,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        SyncDirectory(directory);
    }

    public static void WriteText(string path, string contents, UnixFileMode mode = PrivateMode) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(contents), mode);

    public static void SyncDirectory(string directory)
    {
        using var fd = FileDescriptor.OpenDirectory(directory);
        Libc.Fsync(fd.Fd);
    }
}
