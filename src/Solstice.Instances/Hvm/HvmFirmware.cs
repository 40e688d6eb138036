namespace Solstice.Instances.Hvm;

/// <summary>
/// The UEFI firmware for bootrom uefi: OVMF's read-only code and this VM's own copy of the
/// variable store (Debian ovmf: /usr/share/OVMF/OVMF_CODE_4M.fd and a copy of OVMF_VARS_4M.fd).
/// </summary>
public sealed record HvmFirmware(string Code, string Vars)
{
    public static HvmFirmware Debian(string varsCopy) => new("/usr/share/OVMF/OVMF_CODE_4M.fd", varsCopy);
}
