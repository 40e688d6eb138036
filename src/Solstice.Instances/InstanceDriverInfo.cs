namespace Solstice.Instances;

/// <summary>How a driver reaches an instance's console.</summary>
public enum InstanceConsole
{
    /// <summary>A pty master handed over at boot (zones: runc's console socket).</summary>
    Pty,

    /// <summary>A serial port the hypervisor exposes (HVM).</summary>
    Serial,
}

/// <summary>A brand a driver serves, with the image types it boots (imgadm's manifest type).</summary>
public sealed record InstanceBrand(string Name, IReadOnlyList<string> ImageTypes);

/// <summary>
/// What an instance driver can do, as StorageDriverInfo is for storage: the VM service branches
/// on these facts, never on the driver's type.
/// </summary>
public sealed record InstanceDriverInfo
{
    /// <summary>A short name for messages ("zone", "hvm").</summary>
    public required string Name { get; init; }

    public required IReadOnlyList<InstanceBrand> Brands { get; init; }

    /// <summary>Why the driver cannot run instances on this node, or null when it can.</summary>
    public string? Unavailable { get; init; }

    /// <summary>Whether instances keep running when the daemon stops, to be adopted by the next one.</summary>
    public bool SurvivesDaemonRestart { get; init; }

    /// <summary>The vmadm properties an update applies to a running instance (through <see cref="IInstanceDriver.Update"/>).</summary>
    public IReadOnlySet<string> LiveProperties { get; init; } = new HashSet<string>();

    public InstanceConsole Console { get; init; }

    /// <summary>Whether the instance joins a network namespace that the node prepares before the boot.</summary>
    public bool NetworkNamespace { get; init; }
}
