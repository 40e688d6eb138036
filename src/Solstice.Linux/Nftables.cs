using System.Runtime.InteropServices;
using System.Text;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>What an nft script produced: success, the listing it printed, and nft's error text.</summary>
public readonly record struct NftOutcome(bool Succeeded, string Output, string Error);

/// <summary>
/// Runs nft scripts through libnftables in this process: the same parser and single-transaction
/// semantics as <c>nft -f</c>, without a spawn. Every context lives on <see cref="NftThreads"/>,
/// whose descriptor table is their own, so libnftables' select() never sees the daemon's
/// descriptors (glibc aborts on a descriptor of 1024 or more).
/// </summary>
public static unsafe class Nftables
{
    // nft_ctx_new sets up library-wide state on its first call without a lock of its own.
    private static readonly Lock s_create = new();

    /// <summary>Runs script with a context of its own, in the calling thread's network namespace.</summary>
    public static NftOutcome Run(string script) =>
        NftThreads.IsInside ? RunHere(script) : Run(NftThreads.CallerNamespace(), script);

    /// <summary>Runs script with a context of its own in the network namespace bound at netnsPath.</summary>
    public static NftOutcome Run(string netnsPath, string script) => NftThreads.Run(netnsPath, () => RunHere(script));

    /// <summary>
    /// Runs action(i) inside netnsPaths[i] for every i, up to parallelism at a time, on the nftables threads;
    /// action calls <see cref="Run(string)"/> to load into that namespace. Returns what each item
    /// threw (null when it succeeded), in item order. action must use no descriptor it did not open
    /// itself and start no thread-pool work (see <see cref="NftThreads"/>).
    /// </summary>
    public static Exception?[] RunEach(IReadOnlyList<string> netnsPaths, Action<int> action, int parallelism = NftThreads.Workers) =>
        NftThreads.RunEach(netnsPaths, action, parallelism);

    private static NftOutcome RunHere(string script)
    {
        nint ctx = NewContext();
        try
        {
            return Run(ctx, script);
        }
        finally
        {
            Free(ctx);
        }
    }

    /// <summary>A new context in the calling thread's namespace; on the nftables threads only.</summary>
    /// <summary>Loads libnftables into the process (one context made and freed at once).</summary>
    internal static void Preload()
    {
        lock (s_create)
        {
            nint ctx = LibNftables.CtxNew(0);
            if (ctx != 0)
                LibNftables.CtxFree(ctx);
        }
    }

    internal static nint NewContext()
    {
        if (!NftThreads.IsInside)
            throw new InvalidOperationException("libnftables contexts are made on the nftables threads only");
        nint ctx;
        lock (s_create)
            ctx = LibNftables.CtxNew(0);
        if (ctx == 0)
            throw new InvalidOperationException("nft_ctx_new failed");
        LibNftables.CtxBufferOutput(ctx);
        LibNftables.CtxBufferError(ctx);
        return ctx;
    }

    /// <summary>Runs script on ctx; on the nftables threads only.</summary>
    internal static NftOutcome Run(nint ctx, string script)
    {
        byte[] text = new byte[Encoding.UTF8.GetByteCount(script) + 1];
        Encoding.UTF8.GetBytes(script, text);
        int rc;
        fixed (byte* p = text)
            rc = LibNftables.RunCmdFromBuffer(ctx, p);
        return new NftOutcome(rc == 0,
            Marshal.PtrToStringUTF8(LibNftables.CtxGetOutputBuffer(ctx)) ?? "",
            Marshal.PtrToStringUTF8(LibNftables.CtxGetErrorBuffer(ctx)) ?? "");
    }

    // Closing an nf_tables socket after a commit that deleted anything waits for the kernel to
    // destroy those objects, an RCU grace period (7-20 ms here). Contexts are therefore freed on a
    // thread of their own (of the same descriptor table): the caller does not wait, and after the
    // first close of a burst the kernel's destroy list is empty, so the rest close at once.
    internal static void Free(nint ctx) => NftThreads.Free(ctx);
}
