namespace Solstice.Linux.Interop;

/// <summary>An owned file descriptor, closed on dispose.</summary>
public readonly struct FileDescriptor : IDisposable
{
    public int Fd { get; }

    private FileDescriptor(int fd) => Fd = fd;

    public static FileDescriptor OpenDirectory(string path)
    {
        int fd = Libc.Open(path, Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec, 0);
        if (fd < 0)
            throw SyscallException.Last($"open {path}");
        return new FileDescriptor(fd);
    }

    /// <summary>Opens a file read-only (close-on-exec), e.g. a namespace file for setns.</summary>
    public static FileDescriptor Open(string path)
    {
        int fd = Libc.Open(path, Libc.ORdOnly | Libc.OCloexec, 0);
        if (fd < 0)
            throw SyscallException.Last($"open {path}");
        return new FileDescriptor(fd);
    }

    public void Dispose()
    {
        if (Fd >= 0)
            Libc.Close(Fd);
    }
}
