using Solstice.Linux;
using Solstice.Storage.Drivers.Dir;
using Solstice.TestKit;

namespace Solstice.Storage.Tests;

/// <summary>Node state is root's alone: files 0600, dataset tops 0700 (docs/security.md, "File modes").</summary>
public class StateFileModeTests
{
    [Fact]
    public void Atomic_writes_are_owner_only_by_default_even_over_a_world_readable_file()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("record.json");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, AtomicFile.PublicMode);
        AtomicFile.WriteText(path, "{\"customer_metadata\":{\"secret\":\"x\"}}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        AtomicFile.WriteText(dir.Combine("manifest.json"), "{}", AtomicFile.PublicMode);
        Assert.Equal(AtomicFile.PublicMode, File.GetUnixFileMode(dir.Combine("manifest.json")));
    }

    [Fact]
    public void Node_config_is_saved_owner_only()
    {
        using var dir = new TempDirectory();
        new NodeConfig { Pools = [new PoolConfig()] }.Save(dir.Combine("node.json"));
        Assert.Equal(AtomicFile.PrivateMode, File.GetUnixFileMode(dir.Combine("node.json")));
    }

    [Fact]
    public void Dir_pool_datasets_and_clones_are_not_reachable_by_other_users()
    {
        using var dir = new TempDirectory();
        var pool = PoolManager.Default.Import(new PoolConfig { Name = "tank", Driver = "dir", Mountpoint = dir.Combine("tank") });
        Assert.IsType<DirDriver>(pool.Driver);
        var zone = DatasetName.Parse("tank/zone");
        pool.Create(zone);
        pool.Snapshot(zone with { Snapshot = "s" });
        pool.Clone(zone with { Snapshot = "s" }, DatasetName.Parse("tank/clone"));
        foreach (string path in new[] { "zone", "clone", "config", "images", ".snapshots", ".solstice" })
            Assert.Equal(DatasetModes.Private, File.GetUnixFileMode(dir.Combine("tank", path)));
        // The dir driver has no second mount: the runtime sees the dataset where the host does.
        Assert.Equal(pool.PathOf(zone), pool.RuntimePathOf(zone));
    }
}
