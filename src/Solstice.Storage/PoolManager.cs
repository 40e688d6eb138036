using Solstice.Core;
using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.Storage.Drivers.Btrfs;
using Solstice.Storage.Drivers.Dir;

namespace Solstice.Storage;

/// <summary>
/// Brings pools online: creates the embedded loop-file pool on first use, mounts files and
/// devices, enables simple quotas and lays out SmartOS's zones/ datasets. Import is idempotent,
/// so the node runs it on every start and a reboot loses nothing.
/// A btrfs pool is mounted twice. The host's mount (/zones) is nosuid,nodev: a setuid-root file a
/// tenant writes into its zone, or one an image brings, must not elevate a host user who can reach
/// it. The runtime view (&lt;mountpoint&gt;/.solstice/runtime, under a 0700 directory) is a bind of
/// the same tree without nosuid, from which the OCI runtime takes zone roots, so setuid programs
/// keep working inside zones (sudo, su, ping), as they do on SmartOS.
/// </summary>
public sealed class PoolManager(ICommandRunner runner)
{
    /// <summary>The runtime view's place below the pool's mount point.</summary>
    public const string RuntimeViewDirectory = ".solstice/runtime";

    public static string RuntimeViewOf(string mountPoint) => Path.Combine(mountPoint, RuntimeViewDirectory);

    /// <summary>The datasets SmartOS's setup creates on the zones pool that Solstice uses too.</summary>
    public static readonly string[] LayoutDatasets = ["config", "images", "archive", "cores"];

    public static PoolManager Default { get; } = new(ProcessCommandRunner.Instance);

    /// <summary>Opens an imported pool without changing anything on the host.</summary>
    public StoragePool Open(PoolConfig config)
    {
        if (config.Driver == "dir")
        {
            if (!Directory.Exists(config.Mountpoint))
                throw NotImported(config);
            return new StoragePool(config.Name, new DirDriver(config.Mountpoint, runner));
        }
        if (!Directory.Exists(config.Mountpoint) || !Mounts.IsBtrfs(config.Mountpoint)
            || (config.File ?? config.Device) is not null && !IsMountPoint(config.Mountpoint))
            throw NotImported(config);
        bool quotas = Linux.Interop.Btrfs.GetQgroup(config.Mountpoint, 5) is not null;
        string view = RuntimeViewOf(config.Mountpoint);
        // Only the daemon asks for runtime paths: the CLIs open pools without reading mountinfo for it.
        var runtimeView = new Lazy<string?>(() => IsMountPoint(view) ? view : null);
        return new StoragePool(config.Name, new BtrfsDriver(config.Mountpoint, runner, quotas, runtimeView));
    }

    public bool IsImported(PoolConfig config)
    {
        try
        {
            Open(config);
            return true;
        }
        catch (SolsticeException)
        {
            return false;
        }
    }

    /// <summary>Imports the pool, creating the loop file first if it is configured and missing.</summary>
    public StoragePool Import(PoolConfig config)
    {
        using var revert = new Reverter();
        if (config.Driver == "dir")
        {
            Directory.CreateDirectory(config.Mountpoint);
        }
        else if (!IsMountPoint(config.Mountpoint) || !Mounts.IsBtrfs(config.Mountpoint))
        {
            if (config.File is { } file)
            {
                if (!File.Exists(file))
                {
                    CreateLoopFile(config, file);
                    revert.Add("remove pool file", () => File.Delete(file));
                }
                Mount(config, file, loop: true);
            }
            else if (config.Device is { } device)
            {
                if (!File.Exists(device))
                    throw new SolsticeException(ErrorCode.NotFound, $"cannot import '{config.Name}': device '{device}' does not exist");
                Mount(config, device, loop: false);
            }
            else if (!Directory.Exists(config.Mountpoint) || !Mounts.IsBtrfs(config.Mountpoint))
            {
                throw new SolsticeException(ErrorCode.NotFound,
                    $"cannot import '{config.Name}': '{config.Mountpoint}' is not on a btrfs filesystem (configure a file or device)");
            }
            revert.Add("unmount pool", () => Unmount(config.Mountpoint));
            TryEnableQuotas(config.Mountpoint);
        }
        ConfineLayout(config.Mountpoint);
        if (config.Driver != "dir")
        {
            try
            {
                // Pools mounted by an older version, or by the operator, get the flags here.
                PoolMounts.RestrictHostMount(config.Mountpoint);
                if (PoolMounts.EnsureRuntimeView(config.Mountpoint, RuntimeViewOf(config.Mountpoint)))
                    revert.Add("unmount runtime view", () => PoolMounts.Unmount(RuntimeViewOf(config.Mountpoint)));
            }
            catch (SyscallException ex)
            {
                throw new SolsticeException(ErrorCode.BackendFailed, $"cannot import '{config.Name}': {ex.Message}", ex);
            }
        }
        var pool = Open(config);
        CleanWorkDir(config.Mountpoint);
        foreach (string name in LayoutDatasets)
        {
            var dataset = pool.Root.Child(name);
            if (!pool.Exists(dataset))
                pool.Create(dataset);
        }
        foreach (string child in pool.Driver.ListChildren(""))
            DatasetModes.Confine(pool.Driver.PathOf(child));
        revert.Success();
        return pool;
    }

    /// <summary>Formats a block device and imports it. mkfs.btrfs runs without -f, so an existing filesystem is never overwritten.</summary>
    public StoragePool CreateOnDevice(PoolConfig config)
    {
        string device = config.Device ?? throw new ArgumentException("device required", nameof(config));
        if (!File.Exists(device))
            throw new SolsticeException(ErrorCode.NotFound, $"cannot create '{config.Name}': device '{device}' does not exist");
        var result = runner.Run(["mkfs.btrfs", "-q", "-L", config.Name, device]);
        if (!result.Succeeded)
            throw new SolsticeException(ErrorCode.BackendFailed, $"cannot create '{config.Name}': {result.StandardError.Trim()}");
        return Import(config);
    }

    public void Export(PoolConfig config)
    {
        if (config.Driver != "btrfs")
            return;
        string view = RuntimeViewOf(config.Mountpoint);
        if (IsMountPoint(view))
            PoolMounts.Unmount(view);
        if ((config.File ?? config.Device) is not null && IsMountPoint(config.Mountpoint))
            Unmount(config.Mountpoint);
    }

    private void CreateLoopFile(PoolConfig config, string file)
    {
        if (!ByteSize.TryParse(config.Size ?? NodeConfig.DefaultPoolSize, out long size) || size < 256L << 20)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot create '{config.Name}': pool size must be at least 256M");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        try
        {
            using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
                stream.SetLength(size);
            var result = runner.Run(["mkfs.btrfs", "-q", "-L", config.Name, file]);
            if (!result.Succeeded)
                throw new SolsticeException(ErrorCode.BackendFailed, $"cannot create '{config.Name}': mkfs.btrfs: {result.StandardError.Trim()}");
        }
        catch (Exception ex) when (ex is not SolsticeException || File.Exists(file))
        {
            File.Delete(file);
            if (ex is IOException io)
                throw new SolsticeException(ErrorCode.BackendFailed, $"cannot create '{config.Name}': pool file '{file}': {io.Message}", io);
            throw;
        }
    }

    private void Mount(PoolConfig config, string source, bool loop)
    {
        Directory.CreateDirectory(config.Mountpoint);
        var argv = new List<string> { "mount", "-t", "btrfs", "-o", loop ? "loop,nosuid,nodev" : "nosuid,nodev" };
        argv.AddRange([source, config.Mountpoint]);
        var result = runner.Run(argv);
        if (!result.Succeeded)
            throw new SolsticeException(ErrorCode.BackendFailed, $"cannot import '{config.Name}': mount {source}: {result.StandardError.Trim()}");
    }

    private static void Unmount(string mountPoint)
    {
        if (Libc.Umount2(mountPoint, 0) < 0)
            throw SyscallException.Last($"unmount {mountPoint}");
    }

    private static void TryEnableQuotas(string mountPoint)
    {
        try
        {
            Linux.Interop.Btrfs.EnableSimpleQuota(mountPoint);
        }
        catch (SyscallException ex) when (ex.Errno is Errno.EINVAL or Errno.ENOTTY)
        {
            // Kernels before 6.7 have no simple quotas; the pool then reports Quotas=false
            // rather than falling back to classic qgroups, whose snapshot cost is unbounded.
        }
    }

    private static void CleanWorkDir(string mountPoint)
    {
        string work = Path.Combine(mountPoint, BtrfsDriver.WorkDir);
        if (!Directory.Exists(work))
            return;
        foreach (string entry in Directory.GetDirectories(work))
        {
            try
            {
                if (FileStat.IsSubvolumeRoot(entry))
                    Linux.Interop.Btrfs.DestroySubvolume(work, Path.GetFileName(entry));
                else
                {
                    foreach (string sub in Directory.GetDirectories(entry).Where(FileStat.IsSubvolumeRoot))
                        Linux.Interop.Btrfs.DestroySubvolume(entry, Path.GetFileName(sub));
                    Directory.Delete(entry, recursive: true);
                }
            }
            catch (IOException)
            {
                // A swap interrupted before its child datasets moved back still holds them;
                // destroying fails (ENOTEMPTY) and the tree is kept for the operator.
            }
        }
    }

    /// <summary>The pool's own trees (.snapshots holds every dataset's snapshots, .solstice the staging and the runtime view) are root's alone.</summary>
    private static void ConfineLayout(string mountPoint)
    {
        foreach (string dir in new[] { ".snapshots", ".solstice" })
        {
            string path = Path.Combine(mountPoint, dir);
            Directory.CreateDirectory(path, DatasetModes.Private);
            DatasetModes.Confine(path);
        }
    }

    private static bool IsMountPoint(string path) =>
        Directory.Exists(path) && Mounts.Find(path) is not null;

    private static SolsticeException NotImported(PoolConfig config) =>
        new(ErrorCode.Unavailable, $"pool '{config.Name}' is not imported (run 'solstice pool import {config.Name}')");
}
