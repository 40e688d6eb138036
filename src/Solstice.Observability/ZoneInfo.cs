namespace Solstice.Observability;

/// <summary>What the tools know about a zone besides its cgroup: its alias and brand (from the daemon's VM records).</summary>
public sealed record ZoneInfo(string Uuid, string? Alias, string? Brand);

/// <summary>
/// Where zone names come from. The CLI asks solsticed (vm.lookup); the daemon's metrics endpoint
/// can answer from its own records. A directory that cannot answer returns an empty map: the
/// tools then show uuids and "-" aliases, never fail.
/// </summary>
public interface IZoneDirectory
{
    IReadOnlyDictionary<string, ZoneInfo> Zones();
}

/// <summary>A fixed map, for tests and hosts without a daemon.</summary>
public sealed class StaticZoneDirectory(IEnumerable<ZoneInfo> zones) : IZoneDirectory
{
    private readonly Dictionary<string, ZoneInfo> _zones = zones.ToDictionary(z => z.Uuid);

    public static StaticZoneDirectory Empty { get; } = new([]);

    public IReadOnlyDictionary<string, ZoneInfo> Zones() => _zones;
}
