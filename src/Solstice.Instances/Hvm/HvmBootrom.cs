namespace Solstice.Instances.Hvm;

/// <summary>bootrom (bhyve): SeaBIOS, or OVMF (UEFI) from <see cref="HvmFirmware"/>.</summary>
public enum HvmBootrom
{
    Bios,
    Uefi,
}
