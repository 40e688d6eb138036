using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>
/// libnftables (the library behind the nft tool, nftables package, ABI LIBNFTABLES_1). A context
/// opens its netlink socket when created, so it talks to the network namespace of the thread that
/// created it.
/// </summary>
public static unsafe partial class LibNftables
{
    private const string Library = "libnftables.so.1";

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    public static partial nint CtxNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    public static partial void CtxFree(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int CtxBufferOutput(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int CtxBufferError(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial nint CtxGetOutputBuffer(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial nint CtxGetErrorBuffer(nint ctx);

    /// <summary>Runs a script in the nft -f language as one transaction; 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer")]
    public static partial int RunCmdFromBuffer(nint ctx, byte* script);
}
