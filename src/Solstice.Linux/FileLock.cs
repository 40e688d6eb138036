using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// An exclusive flock(2) on a lock file. The kernel drops it when the holder dies, however it
/// dies, so a lock left by a killed process is never stale. Dispose releases it.
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

    private FileLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    /// <summary>Takes the lock, or returns null at once when another process holds it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        int fd = Libc.Open(path, ORdWr | OCreat | Libc.OCloexec, 0x180);
        if (fd < 0)
            throw SyscallException.Last($"open lock file {path}");
        if (Flock(fd, LockEx | LockNb) == 0)
            return new FileLock(fd, path);
        int errno = Marshal.GetLastPInvokeError();
        Libc.Close(fd);
        if (errno == EWouldBlock)
            return null;
        throw new SyscallException($"flock {path}", errno);
    }

    /// <summary>
    /// Waits for the lock, polling so the wait can be bounded; waiting is called once when the lock is
    /// found held (to tell the user). Throws TimeoutException after timeout.
    /// </summary>
    public static FileLock Acquire(string path, TimeSpan timeout, Action? waiting = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        bool told = false;
        while (true)
        {
            if (TryAcquire(path) is { } acquired)
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
        Flock(_fd, LockUn);
        Libc.Close(_fd);
        _fd = -1;
    }
}
