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
    // nft_ctx_new sets up library-wide state on its first call; creating and freeing contexts
    // under one lock keeps that safe while scripts themselves run in parallel.
    private static readonly Lock s_contexts = new();

    public static NftOutcome Run(string script)
    {
        nint ctx;
        lock (s_contexts)
            ctx = LibNftables.CtxNew(0);
        if (ctx == 0)
            throw new InvalidOperationException("nft_ctx_new failed");
        try
        {
            LibNftables.CtxBufferOutput(ctx);
            LibNftables.CtxBufferError(ctx);
            int length = Encoding.UTF8.GetByteCount(script);
            byte[] text = new byte[length + 1];
            Encoding.UTF8.GetBytes(script, text);
            int rc;
            fixed (byte* p = text)
                rc = LibNftables.RunCmdFromBuffer(ctx, p);
            return new NftOutcome(rc == 0,
                Marshal.PtrToStringUTF8(LibNftables.CtxGetOutputBuffer(ctx)) ?? "",
                Marshal.PtrToStringUTF8(LibNftables.CtxGetErrorBuffer(ctx)) ?? "");
        }
        finally
        {
            lock (s_contexts)
                LibNftables.CtxFree(ctx);
        }
    }
}
