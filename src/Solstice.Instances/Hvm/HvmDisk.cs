namespace Solstice.Instances.Hvm;

/// <summary>
/// One disk as QEMU sees it: a raw file or block device at <paramref name="Path"/> (a zvol's
/// equivalent), attached per <paramref name="Model"/>. <paramref name="Boot"/> gives it the first
/// boot index. The block sizes are what the guest is told (SmartOS guest_block_size
/// "logical/physical", defaulting to the volume's block_size); null leaves QEMU's 512.
/// A cdrom is attached read-only and cannot be virtio (virtio-blk has no removable media).
/// </summary>
public sealed record HvmDisk(
    string Path,
    HvmDiskModel Model = HvmDiskModel.Virtio,
    bool Boot = false,
    HvmDiskMedia Media = HvmDiskMedia.Disk,
    int? LogicalBlockSize = null,
    int? PhysicalBlockSize = null);
