using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>
/// pidfds and epoll: the daemon watches every zone's init through one epoll set of pidfds, so a
/// zone costs a file descriptor, not a thread. A pidfd can't be fooled by pid reuse.
/// </summary>
public static unsafe partial class Pidfd
{
    private const long SysPidfdOpen = 434;
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdGetfd = 438;
    private const int PWaitPidfd = 3;
    private const int WExited = 4;
    private const int WNoHang = 1;
    public const int PrSetChildSubreaper = 36;
    public const uint EpollIn = 1;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall2(long number, int a, uint b);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall3(long number, int a, int b, uint c);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, int a, int b, nint c, uint d);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    private static partial int WaitId(int idType, uint id, byte* info, int options);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>Opens a pidfd, or returns -1 when the process no longer exists.</summary>
    public static int Open(int pid)
    {
        long fd = Syscall2(SysPidfdOpen, pid, 0);
        return fd < 0 ? -1 : (int)fd;
    }

    /// <summary>pidfd_getfd(2): a duplicate (close-on-exec) of another process's descriptor, or -1.</summary>
    public static int GetFd(int pidfd, int targetFd) => targetFd < 0 ? -1 : (int)Syscall3(SysPidfdGetfd, pidfd, targetFd, 0);

    public static bool SendSignal(int pidfd, int signal) => Syscall4(SysPidfdSendSignal, pidfd, signal, 0, 0) == 0;

    /// <summary>Reaps the process if it is our child (we are a subreaper); returns its wait status or null.</summary>
    public static int? TryReap(int pidfd)
    {
        byte* info = stackalloc byte[128];
        new Span<byte>(info, 128).Clear();
        if (WaitId(PWaitPidfd, (uint)pidfd, info, WExited | WNoHang) < 0)
            return null;
        int code = *(int*)(info + 8);
        int status = *(int*)(info + 24);
        int pid = *(int*)(info + 16);
        if (pid == 0)
            return null;
        // si_code CLD_EXITED=1 carries an exit status; otherwise si_status is the signal.
        return code == 1 ? status : 128 + status;
    }

    public static int CreateEpoll()
    {
        int fd = EpollCreate1(EpollCloexec);
        if (fd < 0)
            throw SyscallException.Last("epoll_create1");
        return fd;
    }

    public static void Add(int epoll, int fd, ulong token)
    {
        var ev = new EpollEvent { Events = EpollIn, Data = token };
        if (EpollCtl(epoll, EpollCtlAdd, fd, &ev) < 0)
            throw SyscallException.Last("epoll_ctl add");
    }

    public static void Remove(int epoll, int fd)
    {
        var ev = default(EpollEvent);
        EpollCtl(epoll, EpollCtlDel, fd, &ev);
    }

    /// <summary>Waits up to timeoutMs for ready descriptors; returns their tokens.</summary>
    public static int Wait(int epoll, Span<ulong> tokens, int timeoutMs)
    {
        EpollEvent* events = stackalloc EpollEvent[tokens.Length];
        int n = EpollWait(epoll, events, tokens.Length, timeoutMs);
        if (n < 0)
            return 0;
        for (int i = 0; i < n; i++)
            tokens[i] = events[i].Data;
        return n;
    }
}
