namespace Solstice.Instances.Hvm;

/// <summary>
/// One NIC: the host tap device <paramref name="Tap"/> (created and attached by the network
/// layer before QEMU starts; QEMU runs no scripts), the guest MAC, and the emulated card.
/// </summary>
public sealed record HvmNic(string Tap, string Mac, HvmNicModel Model = HvmNicModel.Virtio);
