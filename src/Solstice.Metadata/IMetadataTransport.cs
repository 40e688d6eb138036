namespace Solstice.Metadata;

/// <summary>
/// Where guest connections come from. A unix socket listener yields one stream per client; an
/// HVM guest's serial port (COM2, which QEMU exposes as a unix socket the host connects to)
/// would yield one long-lived stream at a time and reconnect when it ends. The protocol code
/// only ever sees streams.
/// </summary>
public interface IMetadataTransport : IAsyncDisposable
{
    /// <summary>What to name in logs, e.g. the socket path.</summary>
    string Description { get; }

    /// <summary>Opens the transport (binds, or connects); failures surface here, not later.</summary>
    void Start();

    /// <summary>The next guest connection, owned by the caller; null once the transport is closed.</summary>
    ValueTask<Stream?> AcceptAsync(CancellationToken ct);
}
