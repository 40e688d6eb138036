using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>The calling thread's descriptor table: unshare(CLONE_FILES), gettid(2), and its signal mask.</summary>
public static unsafe partial class Libc
{
    public const int CloneFiles = 0x400;

    public const int SigBlock = 0;

    /// <summary>pthread_sigmask(3); set and old are 128-byte sigset_t or null. Returns an errno, 0 on success.</summary>
    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    public static partial int PthreadSigmask(int how, ulong* set, ulong* old);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();
}
