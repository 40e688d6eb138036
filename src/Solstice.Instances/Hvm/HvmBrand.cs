namespace Solstice.Instances.Hvm;

/// <summary>
/// The SmartOS hardware-VM brands. Both run on QEMU here; the brand picks the machine type
/// (kvm: i440fx "pc", as SmartOS KVM emulated; bhyve: q35, whose AHCI and PCIe match bhyve's
/// devices better) and whether <see cref="HvmSpec.Bootrom"/> may be uefi (bhyve only).
/// </summary>
public enum HvmBrand
{
    Kvm,
    Bhyve,
}
