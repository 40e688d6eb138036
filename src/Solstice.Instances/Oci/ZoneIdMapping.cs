namespace Solstice.Instances.Oci;

/// <summary>
/// A user namespace for the zone: zone ids 0..Size-1 map to host ids HostUid.. and HostGid.. .
/// The zone root must be owned by the shifted ids; that is the caller's job.
/// </summary>
public sealed record ZoneIdMapping(uint HostUid, uint HostGid, uint Size);
