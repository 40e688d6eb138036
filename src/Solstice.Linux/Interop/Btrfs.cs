using System.Buffers.Binary;
using System.Text;

namespace Solstice.Linux.Interop;

/// <summary>What GET_SUBVOL_INFO tells about one subvolume.</summary>
public sealed record SubvolumeInfo(
    ulong Id, Guid Uuid, Guid ParentUuid, Guid ReceivedUuid, ulong CreatedTransid, DateTimeOffset Created, bool ReadOnly);

/// <summary>Qgroup accounting of one subvolume, in bytes. Limit is null when none is set.</summary>
public sealed record QgroupUsage(long Referenced, long Exclusive, long? ReferencedLimit);

/// <summary>
/// The btrfs ioctls Solstice uses instead of spawning btrfs(8): each spawn costs about 0.5 ms,
/// an ioctl a few microseconds. Numbers and layouts are from linux/btrfs.h (checked against the
/// compiled header: vol_args and vol_args_v2 are 4096 bytes, get_subvol_info_args 504).
/// </summary>
public static unsafe class Btrfs
{
    public const long SuperMagic = 0x9123683E;
    private const ulong IocSubvolCreate = 0x5000940E;
    private const ulong IocSnapDestroy = 0x5000940F;
    private const ulong IocSnapCreateV2 = 0x50009417;
    private const ulong IocGetSubvolInfo = 0x81F8943C;
    private const ulong IocQuotaCtl = 0xC0109428;
    private const ulong IocQgroupLimit = 0x8030942B;
    private const ulong IocTreeSearch = 0xD0009411;
    private const ulong IocInoLookup = 0xD0009412;
    private const ulong IocSubvolGetFlags = 0x80089419;
    private const ulong IocSubvolSetFlags = 0x4008941A;
    private const ulong SubvolReadOnly = 1 << 1;
    private const int VolArgsSize = 4096;
    private const int VolNameMax = 4087;
    private const int VolV2NameOffset = 56;
    private const int VolV2NameMax = 4039;
    private const ulong QuotaCtlEnableSimple = 4;
    private const ulong QgroupLimitMaxReferenced = 1;
    private const ulong ClearLimit = ulong.MaxValue;
    private const ulong QuotaTreeId = 8;
    private const uint QgroupInfoKey = 242;
    private const uint QgroupLimitKey = 244;
    /// <summary>The inode number of every subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID).</summary>
    public const ulong SubvolumeRootInode = 256;

    public static void CreateSubvolume(string parentDir, string name)
    {
        using var dir = FileDescriptor.OpenDirectory(parentDir);
        byte* args = stackalloc byte[VolArgsSize];
        new Span<byte>(args, VolArgsSize).Clear();
        WriteName(new Span<byte>(args + 8, VolNameMax), name);
        if (Libc.Ioctl(dir.Fd, IocSubvolCreate, args) < 0)
            throw SyscallException.Last($"create subvolume {Path.Combine(parentDir, name)}");
    }

    public static void Snapshot(string source, string destDir, string name, bool readOnly)
    {
        using var src = FileDescriptor.OpenDirectory(source);
        using var dest = FileDescriptor.OpenDirectory(destDir);
        byte* args = stackalloc byte[VolArgsSize];
        var span = new Span<byte>(args, VolArgsSize);
        span.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(span, src.Fd);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], readOnly ? SubvolReadOnly : 0);
        WriteName(span.Slice(VolV2NameOffset, VolV2NameMax), name);
        if (Libc.Ioctl(dest.Fd, IocSnapCreateV2, args) < 0)
            throw SyscallException.Last($"snapshot {source} to {Path.Combine(destDir, name)}");
    }

    public static void DestroySubvolume(string parentDir, string name)
    {
        using var dir = FileDescriptor.OpenDirectory(parentDir);
        byte* args = stackalloc byte[VolArgsSize];
        new Span<byte>(args, VolArgsSize).Clear();
        WriteName(new Span<byte>(args + 8, VolNameMax), name);
        if (Libc.Ioctl(dir.Fd, IocSnapDestroy, args) < 0)
            throw SyscallException.Last($"destroy subvolume {Path.Combine(parentDir, name)}");
    }

    public static void SetReadOnly(string path, bool readOnly)
    {
        using var fd = FileDescriptor.OpenDirectory(path);
        ulong flags;
        if (Libc.Ioctl(fd.Fd, IocSubvolGetFlags, &flags) < 0)
            throw SyscallException.Last($"get flags of {path}");
        flags = readOnly ? flags | SubvolReadOnly : flags & ~SubvolReadOnly;
        if (Libc.Ioctl(fd.Fd, IocSubvolSetFlags, &flags) < 0)
            throw SyscallException.Last($"set flags of {path}");
    }

    public static SubvolumeInfo GetSubvolumeInfo(string path)
    {
        using var fd = FileDescriptor.OpenDirectory(path);
        byte* args = stackalloc byte[504];
        var span = new Span<byte>(args, 504);
        span.Clear();
        if (Libc.Ioctl(fd.Fd, IocGetSubvolInfo, args) < 0)
            throw SyscallException.Last($"subvolume info of {path}");
        ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(span[288..]);
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(span[392..]);
        uint nanos = BinaryPrimitives.ReadUInt32LittleEndian(span[400..]);
        return new SubvolumeInfo(
            Id: BinaryPrimitives.ReadUInt64LittleEndian(span),
            Uuid: new Guid(span.Slice(296, 16), bigEndian: true),
            ParentUuid: new Guid(span.Slice(312, 16), bigEndian: true),
            ReceivedUuid: new Guid(span.Slice(328, 16), bigEndian: true),
            CreatedTransid: BinaryPrimitives.ReadUInt64LittleEndian(span[352..]),
            Created: DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100),
            ReadOnly: (flags & SubvolReadOnly) != 0);
    }

    /// <summary>
    /// Turns on simple quotas (kernel 6.7+). Classic qgroups rescan backrefs on every snapshot,
    /// which took tens of seconds per snapshot here; squotas only count the extents a subvolume
    /// allocated itself. Debian 12's btrfs-progs predates `quota enable --simple`, hence the ioctl.
    /// Enabling on a filesystem that already has quotas is a no-op.
    /// </summary>
    public static void EnableSimpleQuota(string mountPoint)
    {
        using var fd = FileDescriptor.OpenDirectory(mountPoint);
        byte* args = stackalloc byte[16];
        new Span<byte>(args, 16).Clear();
        *(ulong*)args = QuotaCtlEnableSimple;
        if (Libc.Ioctl(fd.Fd, IocQuotaCtl, args) < 0)
            throw SyscallException.Last($"enable simple quota on {mountPoint}");
    }

    /// <summary>Sets (or with null clears) the referenced-bytes limit of the subvolume at path.</summary>
    public static void SetReferencedLimit(string path, long? bytes)
    {
        using var fd = FileDescriptor.OpenDirectory(path);
        byte* args = stackalloc byte[48];
        var span = new Span<byte>(args, 48);
        span.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], QgroupLimitMaxReferenced);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], bytes is { } b ? (ulong)b : ClearLimit);
        if (Libc.Ioctl(fd.Fd, IocQgroupLimit, args) < 0)
            throw SyscallException.Last($"set quota on {path}");
    }

    /// <summary>Reads the level-0 qgroup of a subvolume from the quota tree; null when quotas are off.</summary>
    public static QgroupUsage? GetQgroup(string anyPathInFs, ulong subvolumeId)
    {
        using var fd = FileDescriptor.OpenDirectory(anyPathInFs);
        return GetQgroup(fd.Fd, subvolumeId, anyPathInFs);
    }

    /// <summary>GetQgroup through an open directory of the filesystem (needs CAP_SYS_ADMIN, as the tree search does).</summary>
    public static QgroupUsage? GetQgroup(int dirFd, ulong subvolumeId, string description)
    {
        byte* args = stackalloc byte[4096];
        var span = new Span<byte>(args, 4096);
        span.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(span, QuotaTreeId);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], subvolumeId);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], subvolumeId);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], ulong.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(span[56..], QgroupInfoKey);
        BinaryPrimitives.WriteUInt32LittleEndian(span[60..], QgroupLimitKey);
        BinaryPrimitives.WriteUInt32LittleEndian(span[64..], 16);
        if (Libc.Ioctl(dirFd, IocTreeSearch, args) < 0)
        {
            var error = SyscallException.Last($"read qgroup of {description}");
            if (error.Errno == Errno.ENOENT)
                return null;
            throw error;
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(span[64..]);
        int offset = 104;
        long? referenced = null, exclusive = null, limit = null;
        for (uint i = 0; i < count; i++)
        {
            ulong itemOffset = BinaryPrimitives.ReadUInt64LittleEndian(span[(offset + 16)..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 24)..]);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 28)..]);
            var item = span.Slice(offset + 32, length);
            if (itemOffset == subvolumeId && type == QgroupInfoKey)
            {
                referenced = (long)BinaryPrimitives.ReadUInt64LittleEndian(item[8..]);
                exclusive = (long)BinaryPrimitives.ReadUInt64LittleEndian(item[24..]);
            }
            else if (itemOffset == subvolumeId && type == QgroupLimitKey)
            {
                ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(item);
                if ((flags & QgroupLimitMaxReferenced) != 0)
                    limit = (long)BinaryPrimitives.ReadUInt64LittleEndian(item[8..]);
            }
            offset += 32 + length;
        }
        return referenced is null ? null : new QgroupUsage(referenced.Value, exclusive!.Value, limit);
    }

    /// <summary>The id of the subvolume an open file or directory belongs to (INO_LOOKUP with tree id 0).</summary>
    public static ulong SubvolumeIdOf(int fd)
    {
        byte* args = stackalloc byte[VolArgsSize];
        var span = new Span<byte>(args, VolArgsSize);
        span.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], SubvolumeRootInode);
        if (Libc.Ioctl(fd, IocInoLookup, args) < 0)
            throw SyscallException.Last("look up the subvolume of an open file");
        return BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    private static void WriteName(Span<byte> destination, string name)
    {
        int count = Encoding.UTF8.GetByteCount(name);
        if (count >= destination.Length || count > 255)
            throw new SyscallException($"name '{name}'", Errno.ENAMETOOLONG);
        Encoding.UTF8.GetBytes(name, destination);
    }
}
