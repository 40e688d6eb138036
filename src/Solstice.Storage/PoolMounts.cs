using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Storage;

/// <summary>
/// The two mounts of a btrfs pool (see PoolManager): the host's, nosuid and nodev, and the
/// runtime view, a private bind of the same tree that honours setuid bits but not device nodes.
/// Both are made with mount(2) in the initial user namespace, where no mount flag is locked.
/// </summary>
internal static unsafe class PoolMounts
{
    // statfs(2) f_flags: the ST_* values match MS_* for these four.
    private const long StKept = (long)(Libc.MsRdOnly | Libc.MsNoExec);
    private const long StNoSuid = (long)Libc.MsNoSuid;
    private const long StNoDev = (long)Libc.MsNoDev;

    /// <summary>
    /// Makes the host's mount of the pool nosuid,nodev, keeping ro/noexec/atime as they are. A pool
    /// directory that is not a mount point of its own is first bound onto itself, so the flags
    /// apply to it alone and not to the filesystem around it.
    /// </summary>
    public static void RestrictHostMount(string mountPoint)
    {
        if (Mounts.Find(mountPoint) is null)
            Call(Libc.Mount(mountPoint, mountPoint, null, Libc.MsBind, null), $"bind {mountPoint} onto itself");
        long flags = FlagsOf(mountPoint);
        if ((flags & (StNoSuid | StNoDev)) == (StNoSuid | StNoDev))
            return;
        ulong keep = (ulong)(flags & StKept);
        Call(Libc.Mount(null, mountPoint, null, Libc.MsRemount | Libc.MsBind | Libc.MsNoSuid | Libc.MsNoDev | keep, null), $"remount {mountPoint} nosuid,nodev");
    }

    /// <summary>Mounts the runtime view if it is not there; true when this call mounted it.</summary>
    public static bool EnsureRuntimeView(string mountPoint, string view)
    {
        if (Mounts.Find(view) is not null)
            return false;
        // Its parent (.solstice) is 0700: no host user but root can reach through the view.
        Directory.CreateDirectory(view, DatasetModes.Private);
        Call(Libc.Mount(mountPoint, view, null, Libc.MsBind, null), $"bind {mountPoint} at {view}");
        try
        {
            // Private: the view is no peer of the host's mount (a bind of a shared mount would be),
            // so nothing mounted under one shows up under the other.
            Call(Libc.Mount(null, view, null, Libc.MsPrivate, null), $"make {view} private");
            ulong keep = (ulong)(FlagsOf(mountPoint) & StKept);
            Call(Libc.Mount(null, view, null, Libc.MsRemount | Libc.MsBind | Libc.MsNoDev | keep, null), $"remount {view} suid");
        }
        catch
        {
            Unmount(view);
            throw;
        }
        return true;
    }

    public static void Unmount(string path)
    {
        if (Libc.Umount2(path, 0) < 0)
            throw SyscallException.Last($"unmount {path}");
    }

    public static long FlagsOf(string path)
    {
        Libc.StatFsBuffer buffer;
        Call(Libc.StatFs(path, &buffer), $"statfs {path}");
        return buffer.Flags;
    }

    private static void Call(int result, string what)
    {
        if (result < 0)
            throw SyscallException.Last(what);
    }
}
