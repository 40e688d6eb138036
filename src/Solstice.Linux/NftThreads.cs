using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// The threads that run libnftables, with a descriptor table of their own. libnftables waits on
/// its netlink socket with select(), and glibc aborts the process when that socket's number is
/// 1024 or more (FD_SETSIZE), which the daemon's own descriptors (about four per running zone)
/// pass at some 250 zones. The first of these threads leaves the process's table
/// (unshare(CLONE_FILES), then closes its copies of everything but 0-2 and the runtime's own), so
/// its table starts near-empty; the others, and the thread that frees contexts, are started from
/// it and share its table. Every libnftables context
/// is created, used and freed on these threads, so its socket numbers count only what nft itself
/// has open (a handful: one long-lived session plus those of the scripts in flight), never the
/// daemon's.
/// Code run here must use only descriptors it opens here: a number from the daemon's table means
/// nothing (or something else) in this one. It must not start work on the thread pool either: a
/// pool thread started from here would inherit this table. Callers wait on a plain event.
/// </summary>
internal static class NftThreads
{
    /// <summary>How many scripts run at once (RunEach's parallelism).</summary>
    public const int Workers = 2;

    private const string OwnNamespace = "/proc/thread-self/ns/net";

    [ThreadStatic]
    private static bool t_inside;

    private static readonly BlockingCollection<Batch> s_work = new();
    private static readonly BlockingCollection<nint> s_toFree = new();
    private static readonly Lazy<Exception?> s_started = new(Start);

    /// <summary>True on one of these threads.</summary>
    public static bool IsInside => t_inside;

    /// <summary>
    /// Runs action on one of these threads: inside the network namespace bound at netnsPath, or,
    /// when null, in the node's (where contexts already open stay usable). On one of these threads
    /// already, runs it right there.
    /// </summary>
    public static T Run<T>(string? netnsPath, Func<T> action)
    {
        T result = default!;
        var error = RunEach([netnsPath], _ => result = action())[0];
        if (error is not null)
            ExceptionDispatchInfo.Throw(error);
        return result;
    }

    /// <summary>
    /// Runs action(i) inside netnsPaths[i] (null: the node's) for every i, on up to parallelism of
    /// these threads (at most Workers); returns what each threw (null when it succeeded), in order.
    /// </summary>
    public static Exception?[] RunEach(IReadOnlyList<string?> netnsPaths, Action<int> action, int parallelism = Workers)
    {
        var errors = new Exception?[netnsPaths.Count];
        if (t_inside)
        {
            for (int i = 0; i < netnsPaths.Count; i++)
                errors[i] = Execute(netnsPaths[i], i, action, out _);
            return errors;
        }
        if (s_started.Value is { } failed)
            throw new InvalidOperationException($"the nftables threads could not start: {failed.Message}", failed);
        int lanes = Math.Clamp(parallelism, 1, Math.Max(1, netnsPaths.Count));
        var batch = new Batch(netnsPaths, action, errors, lanes);
        for (int i = 0; i < lanes; i++)
            s_work.Add(batch);
        batch.Done.Wait();
        batch.Done.Dispose();
        return errors;
    }

    /// <summary>The path of the calling thread's network namespace, which these threads can open.</summary>
    public static string CallerNamespace() => $"/proc/self/task/{Libc.GetTid()}/ns/net";

    /// <summary>Frees a context on a thread of this table (closing its socket can wait for the kernel; the caller does not).</summary>
    public static void Free(nint ctx) => s_toFree.Add(ctx);

    private static Exception? Start()
    {
        try
        {
            // dlopen reads libnftables and its dependencies through descriptors: resolve it here, in
            // the daemon's own table, so no thread of the private one ever loads a library (a load
            // there once read libmnl's header wrongly and aborted the daemon).
            Nftables.Preload();
        }
        catch (DllNotFoundException ex)
        {
            return ex;
        }
        Exception? failure = null;
        using var ready = new ManualResetEventSlim();
        var first = new Thread(() =>
        {
            try
            {
                LeaveProcessTable();
                EnterHome();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            if (failure is null)
            {
                // Started from this thread, so they share its table.
                new Thread(FreeContexts) { IsBackground = true, Name = "nft-free" }.Start();
                for (int i = 1; i < Workers; i++)
                    StartWorker();
            }
            ready.Set();
            if (failure is null)
                Serve();
        })
        { IsBackground = true, Name = "nft" };
        first.Start();
        ready.Wait();
        return failure;
    }

    /// <summary>
    /// Gives this thread a descriptor table of its own holding only 0-2 and the runtime's own
    /// (CoreCLR's W^X double mapping, which the JIT uses on every thread), and blocks the signals
    /// the process takes asynchronously, whose handlers write to a pipe of the daemon's table: they
    /// go to the daemon's other threads.
    /// </summary>
    private static void LeaveProcessTable()
    {
        BlockAsyncSignals();
        if (Libc.Unshare(Libc.CloneFiles) != 0)
            throw SyscallException.Last("unshare(CLONE_FILES)");
        // The copies are closed in this table only: the daemon's descriptors, and the POSIX locks
        // its table owns, stay as they are.
        var close = new List<int>();
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/thread-self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd > 2 && !IsRuntimeOwn(entry))
                close.Add(fd);
        }
        foreach (int fd in close)
            Libc.Close(fd);
    }

    private static bool IsRuntimeOwn(string fdLink)
    {
        try
        {
            return new FileInfo(fdLink).LinkTarget?.StartsWith("/memfd:doublemapper", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // the directory's own descriptor, closed by now
        }
    }

    private static unsafe void BlockAsyncSignals()
    {
        // SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2 SIGPIPE SIGALRM SIGTERM SIGCHLD SIGCONT SIGTSTP SIGTTIN
        // SIGTTOU SIGURG SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGWINCH SIGIO SIGPWR; not the faults a
        // thread raises itself, nor the real-time signals the runtime sends to one thread.
        ReadOnlySpan<int> signals = [1, 2, 3, 10, 12, 13, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
        ulong* set = stackalloc ulong[16];
        new Span<ulong>(set, 16).Clear();
        foreach (int signal in signals)
            set[0] |= 1UL << (signal - 1);
        int rc = Libc.PthreadSigmask(Libc.SigBlock, set, null);
        if (rc != 0)
            throw new SyscallException("pthread_sigmask", rc);
    }

    /// <summary>Moves this thread into the node's network namespace (the main thread's), where it rests between scripts.</summary>
    private static void EnterHome()
    {
        using var node = FileDescriptor.Open("/proc/self/ns/net");
        if (Libc.SetNs(node.Fd, Libc.CloneNewNet) != 0)
            throw SyscallException.Last("setns /proc/self/ns/net");
        t_inside = true;
    }

    private static void StartWorker() =>
        new Thread(() =>
        {
            try
            {
                EnterHome();
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"solstice: an nftables thread could not start: {ex.Message}");
                return;
            }
            Serve();
        })
        { IsBackground = true, Name = "nft" }.Start();

    private static void Serve()
    {
        foreach (var batch in s_work.GetConsumingEnumerable())
        {
            bool stranded = false;
            int i;
            while (!stranded && (i = Interlocked.Increment(ref batch.Next)) < batch.Paths.Count)
                batch.Errors[i] = Execute(batch.Paths[i], i, batch.Action, out stranded);
            batch.Done.Signal();
            if (stranded)
            {
                // This thread could not go back to the node's namespace: a fresh one takes its place.
                StartWorker();
                return;
            }
        }
    }

    private static Exception? Execute(string? netnsPath, int index, Action<int> action, out bool stranded)
    {
        stranded = false;
        FileDescriptor? back = null;
        try
        {
            if (netnsPath is not null && FileStat.TargetInode(netnsPath) != FileStat.TargetInode(OwnNamespace))
            {
                using var ns = FileDescriptor.Open(netnsPath);
                var here = FileDescriptor.Open(OwnNamespace);
                if (Libc.SetNs(ns.Fd, Libc.CloneNewNet) != 0)
                {
                    var error = SyscallException.Last($"setns {netnsPath}");
                    here.Dispose();
                    throw error;
                }
                back = here;
            }
            action(index);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            if (back is { } home)
            {
                // Back to where this thread was (the node's namespace, or a caller's on this thread).
                stranded = Libc.SetNs(home.Fd, Libc.CloneNewNet) != 0;
                home.Dispose();
            }
        }
    }

    private static void FreeContexts()
    {
        foreach (nint ctx in s_toFree.GetConsumingEnumerable())
            LibNftables.CtxFree(ctx);
    }

    /// <summary>One RunEach: its items, taken in turn by each of its lanes (one queue entry each).</summary>
    private sealed class Batch(IReadOnlyList<string?> paths, Action<int> action, Exception?[] errors, int lanes)
    {
        public int Next = -1;
        public IReadOnlyList<string?> Paths { get; } = paths;
        public Action<int> Action { get; } = action;
        public Exception?[] Errors { get; } = errors;
        public CountdownEvent Done { get; } = new(lanes);
    }
}
