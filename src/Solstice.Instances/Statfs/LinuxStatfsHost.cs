using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Statfs;

/// <summary>
/// IStatfsHost on the real kernel, for one listener. The caller's memory is read page by page with
/// process_vm_readv (never past PathMax, never past an unmapped page) and the answer written with
/// process_vm_writev, which honours the caller's page protections. A pid is trusted only between
/// two SECCOMP_IOCTL_NOTIF_ID_VALID checks: while the notification is pending the caller is
/// blocked in the syscall, so its pid cannot have been reused. Paths resolve with openat2's
/// RESOLVE_IN_ROOT from the caller's /proc/&lt;pid&gt;/root, so "..", absolute symlinks and
/// mounts are the caller's own and nothing above its root is reachable; magic links (/proc/*/fd)
/// are refused and left to the kernel.
/// </summary>
public sealed unsafe class LinuxStatfsHost(int listener) : IStatfsHost
{
    private const int OPath = 0x200000;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    public bool IsValid(ulong id) => SeccompNotify.IsValid(listener, id);

    public byte[]? ReadPath(int pid, ulong address)
    {
        var buffer = new byte[StatfsResponder.PathMax];
        int total = 0;
        while (total < buffer.Length)
        {
            ulong at = address + (ulong)total;
            if (at < address)
                return null;
            int chunk = (int)Math.Min((ulong)(buffer.Length - total), (ulong)Libc.PageSize - (at % Libc.PageSize));
            int read = Libc.ReadProcessMemory(pid, at, buffer.AsSpan(total, chunk));
            if (read <= 0)
                return null;
            int nul = buffer.AsSpan(total, read).IndexOf((byte)0);
            if (nul >= 0)
                return buffer.AsSpan(0, total + nul + 1).ToArray();
            total += read;
        }
        return null;
    }

    public StatfsTarget? StatPath(SeccompNotification notification, byte[] path)
    {
        int root = Libc.Open($"/proc/{notification.Pid}/root", OPath | ODirectory | OCloexec, 0);
        if (root < 0)
            return null;
        try
        {
            // The root opened above is the caller's only if the caller still waits in the syscall.
            if (!IsValid(notification.Id))
                return null;
            int fd = Libc.OpenAt2(root, path, (ulong)(OPath | OCloexec), Libc.ResolveInRoot | Libc.ResolveNoMagicLinks);
            return fd < 0 ? null : StatAndClose(fd);
        }
        finally
        {
            Libc.Close(root);
        }
    }

    public StatfsTarget? StatDescriptor(SeccompNotification notification, int fd)
    {
        int pidfd = Pidfd.Open(notification.Pid);
        if (pidfd < 0)
            return null;
        try
        {
            if (!IsValid(notification.Id))
                return null;
            int copy = Pidfd.GetFd(pidfd, fd);
            return copy < 0 ? null : StatAndClose(copy);
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }

    public bool Write(int pid, ulong address, Libc.StatFsBuffer answer) =>
        Libc.WriteProcessMemory(pid, address, MemoryMarshal.AsBytes(new ReadOnlySpan<Libc.StatFsBuffer>(in answer)));

    private static StatfsTarget? StatAndClose(int fd)
    {
        try
        {
            Libc.StatFsBuffer statfs;
            if (Libc.FStatFs(fd, &statfs) < 0)
                return null;
            var (major, minor, _) = FileStat.Identity(fd);
            return new StatfsTarget(major, minor, statfs);
        }
        catch (SyscallException)
        {
            return null;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
