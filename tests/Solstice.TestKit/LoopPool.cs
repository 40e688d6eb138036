using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.TestKit;

/// <summary>
/// A real btrfs pool on a sparse loop file in a unique temp directory, with its own node config.
/// Dispose unmounts it (the loop device is autocleared with the mount) and deletes the file,
/// including after a failed test. Never touches the node's /zones.
/// </summary>
public sealed class LoopPool : IDisposable
{
    private readonly TempDirectory _dir;
    private readonly List<PoolConfig> _pools = [];

    public LoopPool(string size = "1G", string name = "zones", string driver = "btrfs")
    {
        _dir = new TempDirectory("solstice-pool");
        Config = new NodeConfig();
        ConfigPath = _dir.Combine("node.json");
        Pool = AddPool(name, size, driver);
    }

    public NodeConfig Config { get; }

    public string ConfigPath { get; }

    public string Directory => _dir.Path;

    public StoragePool Pool { get; }

    public StoragePool AddPool(string name, string size = "1G", string driver = "btrfs")
    {
        var config = new PoolConfig
        {
            Name = name,
            Driver = driver,
            Mountpoint = _dir.Combine(name),
            File = driver == "btrfs" ? _dir.Combine($"{name}.img") : null,
            Size = size,
        };
        _pools.Add(config);
        Config.Pools.Add(config);
        Config.Save(ConfigPath);
        return PoolManager.Default.Import(config);
    }

    public PoolConfig PoolConfig(string name) => _pools.Single(p => p.Name == name);

    public void Dispose()
    {
        foreach (var pool in _pools)
        {
            string view = PoolManager.RuntimeViewOf(pool.Mountpoint);
            if (Mounts.Find(view) is not null)
                Linux.Interop.Libc.Umount2(view, 2);
            for (int attempt = 0; attempt < 20 && Mounts.Find(pool.Mountpoint) is not null; attempt++)
            {
                if (Linux.Interop.Libc.Umount2(pool.Mountpoint, 0) < 0)
                    Thread.Sleep(100);
            }
            if (Mounts.Find(pool.Mountpoint) is not null)
                Linux.Interop.Libc.Umount2(pool.Mountpoint, 2);
        }
        _dir.Dispose();
    }
}
