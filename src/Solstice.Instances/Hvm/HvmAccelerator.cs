namespace Solstice.Instances.Hvm;

/// <summary>How QEMU executes guest code: hardware virtualisation, or translation (TCG).</summary>
public enum HvmAccelerator
{
    Kvm,
    Tcg,
}
