namespace Solstice.Instances.Hvm;

/// <summary>disks[].model: how the disk is attached (virtio-blk, an IDE/AHCI drive, or virtio-scsi).</summary>
public enum HvmDiskModel
{
    Virtio,
    Ide,
    Scsi,
}
