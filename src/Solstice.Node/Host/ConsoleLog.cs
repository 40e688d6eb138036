using Microsoft.Win32.SafeHandles;

namespace Solstice.Node;

/// <summary>
/// A zone's console log: &lt;pool&gt;/config/logs/&lt;uuid&gt;/console.log (root-only), outside the zone's
/// dataset, so a zone at its quota is still logged (SmartOS keeps it in &lt;zonepath&gt;/logs, inside
/// the quota). Each append is one unbuffered write at the end of the file; at MaxBytes the log is
/// rotated to console.log.0, so a chatty guest costs the node at most twice that. A write that
/// fails (full pool, removed directory) is dropped and retried at the next chunk: the log never
/// throws, and Dispose has nothing left to flush.
/// </summary>
public sealed class ConsoleLog(string path) : IDisposable
{
    public const long MaxBytes = 1 << 20;

    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock _lock = new();
    private SafeFileHandle? _file;
    private long _length = -1;
    private bool _disposed;

    public string Path { get; } = path;

    /// <summary>Bytes dropped because the log could not be written.</summary>
    public long Dropped { get; private set; }

    /// <summary>Where the daemon keeps the console log of a VM, from its pool's config directory.</summary>
    public static string For(string configDirectory, string uuid) => System.IO.Path.Combine(configDirectory, "logs", uuid, "console.log");

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (!_disposed)
                AppendLocked(data);
        }
    }

    private void AppendLocked(ReadOnlySpan<byte> data)
    {
        try
        {
            if (_file is null)
                Open();
            if (_length + data.Length > MaxBytes)
            {
                Close();
                File.Move(Path, Path + ".0", overwrite: true);
                Open();
            }
            RandomAccess.Write(_file!, data, _length);
            _length += data.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Dropped += data.Length;
            Close();
        }
    }

    private void Open()
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _file = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, FileOptions.None, 0);
        _length = RandomAccess.GetLength(_file);
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(_file, Owner);
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Close();
        }
    }
}
