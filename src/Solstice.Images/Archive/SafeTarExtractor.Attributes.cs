using System.Formats.Tar;
using Solstice.Linux.Interop;

namespace Solstice.Images.Archive;

/// <summary>
/// Owner and mode of new regular files, applied only where creating the file did not already give
/// them: most files of an image belong to root and have plain modes, and each fchown or fchmod
/// costs btrfs an inode update.
/// </summary>
public sealed partial class SafeTarExtractor
{
    private const uint PermissionBits = 0x1FF; // 0777
    private const uint PrivateMode = 0x180;    // 0600, until the final mode is set
    private const uint SetGroupId = 0x400;     // S_ISGID

    /// <summary>
    /// Set when a new file is sure to belong to the effective uid and gid: a fresh tree (not a layer,
    /// where lower layers' directories may carry setgid) under a root without setgid. Parents made
    /// here have no setgid either, since directory modes are applied last.
    /// </summary>
    private readonly (uint Uid, uint Gid)? _creatorOwner;

    // The umask, or -1 when it cannot be read: then every file gets its fchmod.
    private readonly int _umask = ReadUmask();

    private static (uint Uid, uint Gid)? CreatorOwner(int rootFd, bool layer) =>
        !layer && (PathAt.ModeOf(rootFd, ".") & SetGroupId) == 0 ? (Libc.GetEuid(), Libc.GetEgid()) : null;

    /// <summary>The entry's permission bits when creation alone yields its mode, else private until fchmod.</summary>
    private uint CreationMode(TarEntry entry) => CreatedWithMode(entry) ? (uint)entry.Mode & PermissionBits : PrivateMode;

    /// <summary>Special bits always need fchmod (after fchown, which clears them); so do bits the umask takes away.</summary>
    private bool CreatedWithMode(TarEntry entry) =>
        _umask >= 0 && ((uint)entry.Mode & ~PermissionBits) == 0 && ((uint)entry.Mode & (uint)_umask) == 0;

    private bool CreatedWithOwner(TarEntry entry) =>
        _creatorOwner is { } owner && (uint)entry.Uid == owner.Uid && (uint)entry.Gid == owner.Gid;

    /// <summary>The process umask from /proc/self/status: reading it with umask(2) would change it for every thread meanwhile.</summary>
    private static int ReadUmask()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    return Convert.ToInt32(line[6..].Trim(), 8);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return -1;
    }
}
