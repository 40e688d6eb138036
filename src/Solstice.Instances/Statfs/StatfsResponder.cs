using Solstice.Linux.Interop;

namespace Solstice.Instances.Statfs;

/// <summary>What became of one notification.</summary>
public enum StatfsReply
{
    /// <summary>Let the kernel run the real syscall (SECCOMP_USER_NOTIF_FLAG_CONTINUE).</summary>
    Continue,

    /// <summary>The answer is in the caller's buffer: complete the syscall with 0.</summary>
    Answered,

    /// <summary>The caller is gone (killed while waiting); there is nobody to answer.</summary>
    Gone,
}

/// <summary>An open file as the responder sees it: which device (subvolume) it is on, and its fstatfs.</summary>
public readonly record struct StatfsTarget(uint DeviceMajor, uint DeviceMinor, Libc.StatFsBuffer Statfs);

/// <summary>
/// The kernel side of one zone's listener, faked in unit tests. Every method that touches the caller
/// checks or is followed by a check that the notification is still pending, so a pid in it still
/// names the caller (LinuxStatfsHost).
/// </summary>
public interface IStatfsHost
{
    bool IsValid(ulong id);

    /// <summary>The NUL-terminated path at address, at most PathMax bytes with the NUL; null when unreadable or too long.</summary>
    byte[]? ReadPath(int pid, ulong address);

    /// <summary>Resolves an absolute path inside the caller's root (never above it) and stats it; null on any failure.</summary>
    StatfsTarget? StatPath(SeccompNotification notification, byte[] path);

    /// <summary>Stats the caller's descriptor fd; null on any failure.</summary>
    StatfsTarget? StatDescriptor(SeccompNotification notification, int fd);

    /// <summary>Writes the answer to the caller's buffer; false when any of it could not be written.</summary>
    bool Write(int pid, ulong address, Libc.StatFsBuffer answer);
}

/// <summary>
/// The zone a listener belongs to: the device of its root's subvolume and its qgroup (cached).
/// readQgroup gets the pid of the caller that asked (the agent reads through that process's root,
/// so it holds no descriptor that would pin a host mount).
/// </summary>
public sealed class ZoneDataset(uint deviceMajor, uint deviceMinor, Func<int, QgroupUsage?> readQgroup, TimeProvider? clock = null)
{
    /// <summary>How long one qgroup read is reused: qgroups change only at transaction commits anyway.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private QgroupUsage? _cached;
    private long _readAt = long.MinValue;

    public uint DeviceMajor => deviceMajor;

    public uint DeviceMinor => deviceMinor;

    public QgroupUsage? Qgroup(int pid)
    {
        long now = _clock.GetTimestamp();
        if (_readAt == long.MinValue || _clock.GetElapsedTime(_readAt, now) >= CacheFor)
        {
            try
            {
                _cached = readQgroup(pid);
            }
            catch (SyscallException)
            {
                _cached = null;
            }
            _readAt = now;
        }
        return _cached;
    }
}

/// <summary>
/// Decides each statfs/fstatfs notification of one zone: the zone's answer for its own dataset when
/// it has a quota, the kernel's for everything else. Any doubt (another architecture, a relative
/// or unreadable path, another filesystem, a failed write) gives Continue, so the kernel's own
/// behaviour, errors included, is the fallback.
/// </summary>
public sealed class StatfsResponder(IStatfsHost host, ZoneDataset? zone)
{
    /// <summary>PATH_MAX, the NUL included: the kernel refuses longer paths with ENAMETOOLONG.</summary>
    public const int PathMax = 4096;

    public StatfsReply Decide(SeccompNotification call)
    {
        if (zone is null || call.Arch != SeccompNotify.ArchX8664 || call.Nr is not (SeccompNotify.SysStatfs or SeccompNotify.SysFstatfs))
            return StatfsReply.Continue;
        if (zone.Qgroup(call.Pid) is not { ReferencedLimit: long limit } qgroup)
            return StatfsReply.Continue;
        if (!host.IsValid(call.Id))
            return StatfsReply.Gone;
        StatfsTarget? target;
        if (call.Nr == SeccompNotify.SysStatfs)
        {
            byte[]? path = host.ReadPath(call.Pid, call.Arg0);
            if (!host.IsValid(call.Id))
                return StatfsReply.Gone;
            if (path is null || path.Length < 2 || path[0] != (byte)'/')
                return StatfsReply.Continue;
            target = host.StatPath(call, path);
        }
        else
        {
            // fstatfs(unsigned int fd, ...): anything above int's range is not a descriptor.
            if (call.Arg0 > int.MaxValue)
                return StatfsReply.Continue;
            target = host.StatDescriptor(call, (int)call.Arg0);
        }
        if (target is not { } found || found.DeviceMajor != zone.DeviceMajor || found.DeviceMinor != zone.DeviceMinor
            || found.Statfs.Type != Btrfs.SuperMagic)
            return StatfsReply.Continue;
        var answer = StatfsQuota.Apply(found.Statfs, qgroup.Referenced, limit);
        if (!host.IsValid(call.Id))
            return StatfsReply.Gone;
        return host.Write(call.Pid, call.Arg1, answer) ? StatfsReply.Answered : StatfsReply.Continue;
    }
}
