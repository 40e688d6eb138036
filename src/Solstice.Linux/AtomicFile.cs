using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>Crash-safe file replacement: write a temp file, fsync it, rename over, fsync the directory.</summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
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

    public static void WriteText(string path, string contents) => Write(path, System.Text.Encoding.UTF8.GetBytes(contents));

    public static void SyncDirectory(string directory)
    {
        using var fd = FileDescriptor.OpenDirectory(directory);
        Libc.Fsync(fd.Fd);
    }
}
