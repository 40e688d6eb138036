namespace Solstice.Instances.Hvm.Qmp;

/// <summary>Bounds of one QMP connection.</summary>
public sealed record QmpOptions
{
    /// <summary>How long connect + greeting + qmp_capabilities may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a command may wait for its answer, unless the call says otherwise.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest message accepted; a longer one closes the connection. QMP answers are small
    /// except query-pci and query-block on large VMs, which stay far below this.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 4 << 20;

    /// <summary>Events kept for the reader; past this the oldest are dropped (counted in <see cref="QmpClient.DroppedEvents"/>).</summary>
    public int EventCapacity { get; init; } = 256;

    public static QmpOptions Default { get; } = new();
}
