using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// An exclusive flock(2) on a lock file. The kernel drops it when the holder dies, however it
/// dies, so a lock left by a killed process is never stale. Dispose releases it.
/// <para>
/// A lock taken with removeOnRelease unlinks its file while still holding it, so lock files do
/// not pile up (one per image uuid ever tried). That is safe only because every taker checks,
/// once it holds the flock, that the file it locked is still the one at the path: a process that
/// opened the file just before it was unlinked then holds a lock on an orphan inode, sees that,
/// and starts over on the new file. A process killed after unlinking leaves nothing; one killed
/// before leaves the file, which the next taker reuses.
/// </para>
/// </summary>
public sealed partial class FileLock : IDisposable
{
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int LockUn = 8;
    private const int EWouldBlock = 11;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;

    private int _fd;
    private readonly bool _removeOnRelease;

    private FileLock(int fd, string path, bool removeOnRelease)
    {
        _fd = fd;
        Path = path;
        _removeOnRelease = removeOnRelease;
    }

    public string Path { get; }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    /// <summary>Takes the lock, or returns null at once when another process holds it.</summary>
    public static FileLock? TryAcquire(string path, bool removeOnRelease = false)
    {
        while (true)
        {
            int fd = Libc.Open(path, ORdWr | OCreat | Libc.OCloexec, 0x180);
            if (fd < 0)
                throw SyscallException.Last($"open lock file {path}");
            if (Flock(fd, LockEx | LockNb) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                Libc.Close(fd);
                if (errno == EWouldBlock)
                    return null;
                throw new SyscallException($"flock {path}", errno);
            }
            // The holder before us may have unlinked the file between our open and our flock.
            if (FileStat.Identity(path) == FileStat.Identity(fd))
                return new FileLock(fd, path, removeOnRelease);
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// Waits for the lock, polling so the wait can be bounded; waiting is called once when the lock is
    /// found held (to tell the user). Throws TimeoutException after timeout.
    /// </summary>
    public static FileLock Acquire(string path, TimeSpan timeout, Action? waiting = null, bool removeOnRelease = false)
    {
        var deadline = DateTime.UtcNow + timeout;
        bool told = false;
        while (true)
        {
            if (TryAcquire(path, removeOnRelease) is { } acquired)
                return acquired;
            if (!told)
            {
                waiting?.Invoke();
                told = true;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting for lock {path}");
            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        if (_fd < 0)
            return;
        // Unlinked while still held: whoever waits on this inode finds it orphaned and retries.
        if (_removeOnRelease)
        {
            try
            {
                File.Delete(Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for the next taker to reuse; the lock itself is released below either way.
            }
        }
        Flock(_fd, LockUn);
        Libc.Close(_fd);
        _fd = -1;
    }
}
