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

    public void Dispose()
    {
        if (Fd >= 0)
            Libc.Close(Fd);
    }
}
