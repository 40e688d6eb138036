using System.Security.Cryptography;

namespace Solstice.Core.Vm;

/// <summary>What the node contributes to a new VM object (sysinfo values, the clock, randomness).</summary>
public sealed record VmNodeFacts(string ServerUuid, string? DatacenterName, string? PlatformBuildstamp, DateTimeOffset Now)
{
    /// <summary>Where the default pool <c>zones</c> is mounted; other pools mount at <c>/&lt;pool&gt;</c>.</summary>
    public string ZonesMountpoint { get; init; } = "/zones";

    public Func<Guid> NewUuid { get; init; } = Guid.NewGuid;

    /// <summary>Source of random bytes for generated MAC addresses.</summary>
    public Func<int, byte[]> RandomBytes { get; init; } = RandomNumberGenerator.GetBytes;

    public string MountpointOf(string zpool) => zpool == "zones" ? ZonesMountpoint : "/" + zpool;
}
