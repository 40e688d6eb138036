namespace Solstice.Instances.Oci;

/// <summary>A host path made visible inside the zone (metadata socket directory, guest tools).</summary>
/// <param name="Source">Absolute host path.</param>
/// <param name="Destination">Absolute path inside the zone.</param>
public sealed record ZoneBindMount(string Source, string Destination, bool ReadOnly);
