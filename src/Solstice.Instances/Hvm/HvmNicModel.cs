namespace Solstice.Instances.Hvm;

/// <summary>nics[].model: the emulated network card.</summary>
public enum HvmNicModel
{
    Virtio,
    E1000,
    Rtl8139,
}
