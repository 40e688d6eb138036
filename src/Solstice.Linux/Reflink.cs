using Solstice.Linux.Interop;

namespace Solstice.Linux;

/// <summary>FICLONE: a copy that shares the source's extents, O(1) on btrfs when both files are on one filesystem.</summary>
public static unsafe class Reflink
{
    private const ulong Ficlone = 0x40049409;

    /// <summary>Creates destination as a reflink copy of source; false (and no destination) when the filesystem can't.</summary>
    public static bool TryClone(FileStream source, string destination)
    {
        using var target = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        int sourceFd = (int)source.SafeFileHandle.DangerousGetHandle();
        int targetFd = (int)target.SafeFileHandle.DangerousGetHandle();
        if (Libc.Ioctl(targetFd, Ficlone, (void*)sourceFd) == 0)
            return true;
        target.Dispose();
        File.Delete(destination);
        return false;
    }
}
