namespace Solstice.Metadata;

/// <summary>Counters of one metadata server (one zone), for logs and tests.</summary>
public sealed class MetadataStats
{
    private long _connections;
    private long _rejected;
    private long _requests;
    private long _dropped;
    private long _oversized;
    private long _floods;
    private long _timeouts;
    private long _errors;

    /// <summary>Connections accepted and served.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Connections closed on accept because the zone had too many.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Request lines handled, including blank and malformed ones.</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>V2 frames dropped unanswered (bad length, CRC or syntax).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Lines longer than the limit.</summary>
    public long Oversized => Volatile.Read(ref _oversized);

    /// <summary>Connections closed for exceeding the request rate.</summary>
    public long Floods => Volatile.Read(ref _floods);

    /// <summary>Connections closed for idling, a slow line, or not reading answers.</summary>
    public long Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Sessions that ended in an unexpected exception (a bug; logged).</summary>
    public long Errors => Volatile.Read(ref _errors);

    internal void AddConnection() => Interlocked.Increment(ref _connections);

    internal void AddRejected() => Interlocked.Increment(ref _rejected);

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddDropped() => Interlocked.Increment(ref _dropped);

    internal void AddOversized() => Interlocked.Increment(ref _oversized);

    internal void AddFlood() => Interlocked.Increment(ref _floods);

    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);

    internal void AddError() => Interlocked.Increment(ref _errors);

    public override string ToString() =>
        $"connections={Connections} rejected={Rejected} requests={Requests} dropped={Dropped} oversized={Oversized} floods={Floods} timeouts={Timeouts} errors={Errors}";
}
