using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>What an nft script produced: success, the listing it printed, and nft's error text.</summary>
public readonly record struct NftOutcome(bool Succeeded, string Output, string Error);

/// <summary>
/// Runs nft scripts through libnftables in this process, in the network namespace of the calling
/// thread: the same parser and single-transaction semantics as <c>nft -f</c>, without a spawn.
/// </summary>
public static unsafe class Nftables
{
    // nft_ctx_new sets up library-wide state on its first call without a lock of its own.
    private static readonly Lock s_create = new();

    // Closing an nf_tables socket after a commit that deleted anything waits for the kernel to
    // destroy those objects, an RCU grace period (7-20 ms here). Contexts are therefore freed on a
    // thread of their own: the caller does not wait, and after the first close of a burst the
    // kernel's destroy list is empty, so the rest close at once.
    private static readonly BlockingCollection<nint> s_toFree = StartFreeing();

    /// <summary>Runs script with a context of its own.</summary>
    public static NftOutcome Run(string script)
    {
        using var session = NftSession.Open();
        return session.Run(script);
    }

    internal static nint NewContext()
    {
        nint ctx;
        lock (s_create)
            ctx = LibNftables.CtxNew(0);
        if (ctx == 0)
            throw new InvalidOperationException("nft_ctx_new failed");
        LibNftables.CtxBufferOutput(ctx);
        LibNftables.CtxBufferError(ctx);
        return ctx;
    }

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

    internal static void Free(nint ctx) => s_toFree.Add(ctx);

    private static BlockingCollection<nint> StartFreeing()
    {
        var queue = new BlockingCollection<nint>();
        new Thread(() =>
        {
            foreach (nint ctx in queue.GetConsumingEnumerable())
                LibNftables.CtxFree(ctx);
        })
        { IsBackground = true, Name = "nft-ctx-free" }.Start();
        return queue;
    }
}
