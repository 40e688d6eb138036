using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Storage;

/// <summary>Pools on a block device and on an existing btrfs mount, besides the loop-file default.</summary>
[Collection("Privileged storage")]
public sealed class PoolSourceTests
{
    [PrivilegedFact]
    public void A_block_device_is_formatted_once_and_reimported()
    {
        using var dir = new TempDirectory("solstice-dev");
        string file = dir.Combine("disk.img");
        using (var stream = File.Create(file))
            stream.SetLength(512L << 20);
        string device = ProcessCommandRunner.Instance.Run(["losetup", "--find", "--show", file]).StandardOutput.Trim();
        Assert.StartsWith("/dev/loop", device);
        var config = new PoolConfig { Name = "tank", Device = device, Mountpoint = dir.Combine("tank") };
        try
        {
            var pool = PoolManager.Default.CreateOnDevice(config);
            pool.Create(DatasetName.Parse("tank/data"));
            File.WriteAllText(Path.Combine(pool.MountPoint, "data", "f"), "on the device");
            PoolManager.Default.Export(config);
            Assert.Null(Mounts.Find(config.Mountpoint));
            // Formatting again is refused: mkfs.btrfs runs without -f.
            var again = Assert.Throws<Core.SolsticeException>(() => PoolManager.Default.CreateOnDevice(config));
            Assert.StartsWith("cannot create 'tank'", again.Message);
            var reimported = PoolManager.Default.Import(config);
            Assert.Equal("on the device", File.ReadAllText(Path.Combine(reimported.MountPoint, "data", "f")));
            Assert.True(reimported.Driver.Info.Quotas);
        }
        finally
        {
            if (Mounts.Find(config.Mountpoint) is not null)
                Linux.Interop.Libc.Umount2(config.Mountpoint, 2);
            ProcessCommandRunner.Instance.Run(["losetup", "-d", device]);
        }
    }

    [PrivilegedFact]
    public void An_existing_btrfs_mount_is_used_as_it_is()
    {
        using var outer = new LoopPool("512M", name: "outer");
        string mountpoint = outer.Pool.MountPoint;
        var config = new PoolConfig { Name = "existing", Mountpoint = mountpoint };
        var pool = PoolManager.Default.Import(config);
        Assert.Equal(mountpoint, pool.MountPoint);
        pool.Create(DatasetName.Parse("existing/zone"));
        pool.Snapshot(DatasetName.Parse("existing/zone@s"));
        Assert.True(pool.Exists(DatasetName.Parse("existing/zone@s")));
        // Export leaves a mount Solstice didn't make alone.
        PoolManager.Default.Export(config);
        Assert.NotNull(Mounts.Find(mountpoint));
        var notBtrfs = new PoolConfig { Name = "plain", Mountpoint = "/tmp" };
        var ex = Assert.Throws<Core.SolsticeException>(() => PoolManager.Default.Import(notBtrfs));
        Assert.Contains("is not on a btrfs filesystem", ex.Message);
    }
}
