using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>One syscall a seccomp filter handed to user space (struct seccomp_notif).</summary>
public readonly record struct SeccompNotification(ulong Id, int Pid, int Nr, uint Arch, ulong Arg0, ulong Arg1);

/// <summary>
/// The supervisor side of seccomp user notification (seccomp_unotify(2)): a filter whose rule says
/// SCMP_ACT_NOTIFY parks the calling thread until whoever holds the listener descriptor answers.
/// Layouts and numbers are from linux/seccomp.h: seccomp_notif is 80 bytes, seccomp_notif_resp 24.
/// </summary>
public static unsafe partial class SeccompNotify
{
    /// <summary>AUDIT_ARCH_X86_64; i386 (AUDIT_ARCH_I386) and x32 calls carry other numbers or layouts.</summary>
    public const uint ArchX8664 = 0xC000003E;
    /// <summary>statfs(2) and fstatfs(2) on x86_64 (x32 sets bit 30, so it never equals these).</summary>
    public const int SysStatfs = 137;
    public const int SysFstatfs = 138;

    private const ulong IocRecv = 0xC0502100;
    private const ulong IocSend = 0xC0182101;
    private const ulong IocIdValid = 0x40082102;
    private const uint FlagContinue = 1;
    private const short PollIn = 0x1;
    private const short PollErr = 0x8;
    private const short PollHup = 0x10;
    private const short PollNval = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    private struct Notif
    {
        public ulong Id;
        public uint Pid;
        public uint Flags;
        public int Nr;
        public uint Arch;
        public ulong InstructionPointer;
        public fixed ulong Args[6];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Response
    {
        public ulong Id;
        public long Value;
        public int Error;
        public uint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    public enum WaitResult { Ready, Timeout, Closed }

    /// <summary>
    /// Waits for a notification. Closed: every task under the filter has exited (the kernel reports
    /// POLLHUP), so the listener can be dropped.
    /// </summary>
    public static WaitResult Wait(int listener, int timeoutMs)
    {
        var fd = new PollFd { Fd = listener, Events = PollIn };
        int n = Poll(&fd, 1, timeoutMs);
        if (n == 0 || (n < 0 && Marshal.GetLastPInvokeError() == 4))
            return WaitResult.Timeout;
        if (n < 0 || (fd.Revents & (PollHup | PollErr | PollNval)) != 0)
            return WaitResult.Closed;
        return WaitResult.Ready;
    }

    /// <summary>Takes the next notification; null when it vanished (the caller was killed: ENOENT) or was interrupted.</summary>
    public static SeccompNotification? Receive(int listener)
    {
        Notif notif = default;
        if (Libc.Ioctl(listener, IocRecv, &notif) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.ENOENT or 4)
                return null;
            throw new SyscallException("receive seccomp notification", errno);
        }
        return new SeccompNotification(notif.Id, (int)notif.Pid, notif.Nr, notif.Arch, notif.Args[0], notif.Args[1]);
    }

    /// <summary>The notification is still pending: its caller is alive and still blocked in that syscall, so its pid is still its own.</summary>
    public static bool IsValid(int listener, ulong id) => Libc.Ioctl(listener, IocIdValid, &id) == 0;

    /// <summary>Lets the kernel run the syscall as if no filter had stopped it.</summary>
    public static bool Continue(int listener, ulong id)
    {
        var response = new Response { Id = id, Flags = FlagContinue };
        return Libc.Ioctl(listener, IocSend, &response) == 0;
    }

    /// <summary>Completes the syscall with return value (error 0) or fails it with -error.</summary>
    public static bool Reply(int listener, ulong id, long value, int error)
    {
        var response = new Response { Id = id, Value = value, Error = error == 0 ? 0 : -error };
        return Libc.Ioctl(listener, IocSend, &response) == 0;
    }
}
