namespace Solstice.Linux;

/// <summary>
/// A libnftables context kept open for several scripts in one namespace (the one it was opened
/// in; its scripts run on the nftables threads, one at a time). Keeping it avoids the wait that
/// closing an nf_tables socket costs after deletions (see <see cref="Nftables"/>) and that the
/// next transaction in the same namespace would otherwise queue behind.
/// </summary>
public sealed class NftSession : IDisposable
{
    private readonly Lock _lock = new();
    private nint _ctx;

    private NftSession(nint ctx) => _ctx = ctx;

    /// <summary>Opens a session in the calling thread's network namespace.</summary>
    public static NftSession Open() => Open(null);

    /// <summary>Opens a session in the namespace bound at netnsPath, or the caller's own when null.</summary>
    public static NftSession Open(string? netnsPath) =>
        new(NftThreads.IsInside && netnsPath is null
            ? Nftables.NewContext()
            : NftThreads.Run(netnsPath ?? NftThreads.CallerNamespace(), Nftables.NewContext));

    public NftOutcome Run(string script)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_ctx == 0, this);
            nint ctx = _ctx;
            // The context's socket already belongs to its namespace: any nftables thread will do.
            return NftThreads.Run(null, () => Nftables.Run(ctx, script));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_ctx != 0)
                Nftables.Free(_ctx);
            _ctx = 0;
        }
    }
}
