namespace Solstice.Instances.Hvm;

/// <summary>disks[].media: a writable disk or a read-only CD-ROM.</summary>
public enum HvmDiskMedia
{
    Disk,
    Cdrom,
}
