namespace Solstice.Linux;

/// <summary>
/// A libnftables context kept open for several scripts in one namespace (the one of the thread
/// that opened it; usable from any thread afterwards, one script at a time). Keeping it avoids the
/// wait that closing an nf_tables socket costs after deletions (see <see cref="Nftables"/>) and
/// that the next transaction in the same namespace would otherwise queue behind.
/// </summary>
public sealed class NftSession : IDisposable
{
    private readonly Lock _lock = new();
    private nint _ctx;

    private NftSession(nint ctx) => _ctx = ctx;

    /// <summary>Opens a session in the calling thread's network namespace.</summary>
    public static NftSession Open() => new(Nftables.NewContext());

    /// <summary>Opens a session in the namespace bound at netnsPath, or the caller's own when null.</summary>
    public static NftSession Open(string? netnsPath) => netnsPath is null ? Open() : NetworkNamespace.Run(netnsPath, Open);

    public NftOutcome Run(string script)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_ctx == 0, this);
            return Nftables.Run(_ctx, script);
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
