namespace Solstice.Instances.Oci;

/// <summary>Which runtime binary to drive, and why it was picked (for logs and `solstice setup` output).</summary>
public sealed record OciRuntimeChoice(OciRuntimeKind Kind, string BinaryPath, string Reason);
