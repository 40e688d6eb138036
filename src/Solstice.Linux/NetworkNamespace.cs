using System.Runtime.ExceptionServices;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>
/// Runs code inside other network namespaces without spawning processes. setns(CLONE_NEWNET) moves
/// only the calling thread, and sockets (netlink, libnftables contexts) stay in the namespace of
/// the thread that created them; so the work runs on threads started for it, never on a pool
/// thread, and each goes back to its original namespace before it ends. A thread that cannot go
/// back still ends with its work: it is never reused.
/// </summary>
public static class NetworkNamespace
{
    private const string OwnNamespace = "/proc/thread-self/ns/net";

    /// <summary>Runs action on a new thread that has joined the namespace bound at netnsPath.</summary>
    public static T Run<T>(string netnsPath, Func<T> action)
    {
        T result = default!;
        var errors = RunEach([netnsPath], _ => result = action(), threads: 1);
        if (errors[0] is { } error)
            ExceptionDispatchInfo.Throw(error);
        return result;
    }

    /// <summary>
    /// Runs action(i) inside netnsPaths[i] for every i, on up to threads new threads. Returns what
    /// each item threw (null when it succeeded), in item order.
    /// </summary>
    public static Exception?[] RunEach(IReadOnlyList<string> netnsPaths, Action<int> action, int threads)
    {
        var errors = new Exception?[netnsPaths.Count];
        if (netnsPaths.Count == 0)
            return errors;
        using var home = Open(OwnNamespace);
        int next = -1;
        void Work()
        {
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < netnsPaths.Count)
                {
                    try
                    {
                        Join(netnsPaths[i]);
                        action(i);
                    }
                    catch (Exception ex)
                    {
                        errors[i] = ex;
                    }
                }
            }
            finally
            {
                // If this fails the thread is left in a zone's namespace, but it ends right here.
                Libc.SetNs(home.Fd, Libc.CloneNewNet);
            }
        }
        var workers = Enumerable.Range(0, Math.Clamp(threads, 1, netnsPaths.Count))
            .Select(_ => new Thread(Work) { IsBackground = true, Name = "netns" }).ToList();
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            worker.Join();
        return errors;
    }

    /// <summary>Creates a network namespace and binds it onto the (existing, empty) file at path; insideNew runs in it first.</summary>
    public static void Create(string path, Action? insideNew = null) =>
        RunInNew(() =>
        {
            unsafe
            {
                if (Libc.Mount(OwnNamespace, path, null, Libc.MsBind, null) != 0)
                    throw SyscallException.Last($"bind the new network namespace onto {path}");
            }
            insideNew?.Invoke();
            return 0;
        });

    /// <summary>Runs action on a new thread in a new, empty network namespace, which goes away afterwards unless action keeps it.</summary>
    public static T RunInNew<T>(Func<T> action) =>
        Run(OwnNamespace, () =>
        {
            if (Libc.Unshare(Libc.CloneNewNet) != 0)
                throw SyscallException.Last("unshare(CLONE_NEWNET)");
            return action();
        });

    /// <summary>
    /// True when path is a namespace bound on a file (nsfs), false for a missing or plain file — such
    /// as one left behind when the daemon was killed between creating the file and binding it.
    /// </summary>
    public static unsafe bool IsBound(string path)
    {
        const long NsfsMagic = 0x6e736673;
        Libc.StatFsBuffer buffer;
        return Libc.StatFs(path, &buffer) == 0 && buffer.Type == NsfsMagic;
    }

    private static void Join(string netnsPath)
    {
        using var ns = Open(netnsPath);
        if (Libc.SetNs(ns.Fd, Libc.CloneNewNet) != 0)
            throw SyscallException.Last($"setns {netnsPath}");
    }

    private static FileDescriptor Open(string path) => FileDescriptor.Open(path);
}
