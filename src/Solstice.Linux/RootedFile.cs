using System.Runtime.InteropServices;
using System.Text;
using Solstice.Core;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// Writes files inside a directory tree that someone else controls (a zone's root), resolving every
/// path as if that tree were "/" (openat2 RESOLVE_IN_ROOT): a symlink such as etc -> /etc or
/// etc -> ../../.. stays inside the tree, so the host's files can never be reached.
/// </summary>
public static unsafe class RootedFile
{
    /// <summary>
    /// Replaces root/relativePath atomically (temp file, fsync, rename, fsync directory), creating missing
    /// parent directories (mode 0755). A symlink at the final component is replaced, never followed.
    /// </summary>
    /// <param name="mode">Permission bits of the new file, applied regardless of umask.</param>
    /// <param name="ownerUid">Owner to set, or -1 to keep the caller's (for user-namespaced zones).</param>
    /// <param name="durable">fsync the file and its directory; callers whose whole tree is discarded after a crash pass false.</param>
    public static void WriteAtomic(string root, string relativePath, ReadOnlySpan<byte> contents, uint mode = 0x1a4,
        int ownerUid = -1, int ownerGid = -1, bool durable = true)
    {
        string[] parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
            throw new ArgumentException($"'{relativePath}' is not a plain relative file path", nameof(relativePath));
        string name = parts[^1];

        int rootFd = Libc.Open(root, Libc.OPath | Libc.ODirectory | Libc.OCloexec, 0);
        if (rootFd < 0)
            throw SyscallException.Last($"open {root}");
        try
        {
            int dirFd = OpenDirectory(rootFd, root, parts.AsSpan(0, parts.Length - 1));
            try
            {
                WriteIn(dirFd, root, relativePath, name, contents, mode, ownerUid, ownerGid, durable);
            }
            finally
            {
                Libc.Close(dirFd);
            }
        }
        finally
        {
            Libc.Close(rootFd);
        }
    }

    public static void WriteAtomicText(string root, string relativePath, string contents, uint mode = 0x1a4,
        int ownerUid = -1, int ownerGid = -1, bool durable = true) =>
        WriteAtomic(root, relativePath, Encoding.UTF8.GetBytes(contents), mode, ownerUid, ownerGid, durable);

    /// <summary>
    /// Reads root/relativePath resolved inside root (a symlink cannot leave it); null when it does not
    /// exist, an error when it is not a regular file. At most maxBytes are read: a zone's file is the zone's to make large.
    /// </summary>
    public static string? ReadText(string root, string relativePath, int maxBytes = 1 << 20)
    {
        int rootFd = Libc.Open(root, Libc.OPath | Libc.ODirectory | Libc.OCloexec, 0);
        if (rootFd < 0)
            throw SyscallException.Last($"open {root}");
        int fd;
        try
        {
            // Non-blocking, so a FIFO in its place cannot hang the caller; only a regular file is read.
            const int nonBlock = 0x800;
            fd = Libc.OpenAt2(rootFd, relativePath.TrimStart('/'), (ulong)(Libc.ORdOnly | Libc.OCloexec | nonBlock), Libc.ResolveInRoot | Libc.ResolveNoMagicLinks);
            if (fd < 0 && Marshal.GetLastPInvokeError() == Errno.ENOENT)
                return null;
            if (fd < 0)
                throw SyscallException.Last($"open {root}/{relativePath}");
        }
        finally
        {
            Libc.Close(rootFd);
        }
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        using var stream = new FileStream(handle, FileAccess.Read, 1);
        if (!stream.CanSeek)
            throw new SolsticeException(ErrorCode.InvalidState, $"'/{relativePath.TrimStart('/')}' inside '{root}' is not a regular file");
        var buffer = new byte[maxBytes];
        int total = 0, n;
        while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0)
            total += n;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static int OpenDirectory(int rootFd, string root, ReadOnlySpan<string> components)
    {
        const ulong flags = (ulong)(Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec);
        const ulong resolve = Libc.ResolveInRoot | Libc.ResolveNoMagicLinks;
        int current = Libc.OpenAt2(rootFd, ".", flags, resolve);
        if (current < 0)
            throw SyscallException.Last($"open {root}");
        string path = ".";
        foreach (string component in components)
        {
            path = $"{path}/{component}";
            int next = Libc.OpenAt2(rootFd, path, flags, resolve);
            if (next < 0 && Marshal.GetLastPInvokeError() == Errno.ENOENT)
            {
                // mkdirat never follows a final symlink: a dangling one makes this fail with EEXIST.
                if (Libc.MkdirAt(current, component, 0x1ed) < 0 && Marshal.GetLastPInvokeError() != Errno.EEXIST)
                    throw SyscallException.Last($"mkdir {root}/{path[2..]}");
                next = Libc.OpenAt2(rootFd, path, flags, resolve);
            }
            if (next < 0)
            {
                var ex = SyscallException.Last($"open {root}/{path[2..]}");
                Libc.Close(current);
                throw new SolsticeException(ErrorCode.InvalidState,
                    $"cannot use '/{path[2..]}' inside '{root}': {ex.Message} (a dangling or non-directory entry?)", ex);
            }
            Libc.Close(current);
            current = next;
        }
        return current;
    }

    private static void WriteIn(int dirFd, string root, string relativePath, string name, ReadOnlySpan<byte> contents,
        uint mode, int ownerUid, int ownerGid, bool durable)
    {
        string temp = $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        int fd = Libc.OpenAt(dirFd, temp, Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloexec, (int)mode);
        if (fd < 0)
            throw SyscallException.Last($"create {root}/{relativePath}");
        bool renamed = false;
        try
        {
            try
            {
                WriteAll(fd, contents, $"{root}/{relativePath}");
                if (Libc.Fchmod(fd, mode) < 0)
                    throw SyscallException.Last($"chmod {root}/{relativePath}");
                if ((ownerUid >= 0 || ownerGid >= 0) && Libc.Fchown(fd, ownerUid, ownerGid) < 0)
                    throw SyscallException.Last($"chown {root}/{relativePath}");
                if (durable && Libc.Fsync(fd) < 0)
                    throw SyscallException.Last($"fsync {root}/{relativePath}");
            }
            finally
            {
                Libc.Close(fd);
            }
            if (Libc.RenameAt2(dirFd, temp, dirFd, name, 0) < 0)
                throw SyscallException.Last($"rename {root}/{relativePath}");
            renamed = true;
            if (durable)
                Libc.Fsync(dirFd);
        }
        finally
        {
            if (!renamed)
                Libc.UnlinkAt(dirFd, temp, 0);
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> contents, string what)
    {
        fixed (byte* start = contents)
        {
            int offset = 0;
            while (offset < contents.Length)
            {
                nint written = Libc.Write(fd, start + offset, (nuint)(contents.Length - offset));
                if (written < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EIntr)
                        continue;
                    throw SyscallException.Last($"write {what}");
                }
                offset += (int)written;
            }
        }
    }
}
