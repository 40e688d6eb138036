using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Storage;

/// <summary>Every `solstice dataset` verb on a real btrfs pool on a loop file.</summary>
[Collection("Privileged storage")]
public sealed class BtrfsDatasetTests : IDisposable
{
    private readonly LoopPool? _pool;

    public BtrfsDatasetTests()
    {
        if (Privileged.Reason is null)
            _pool = new LoopPool("1G");
    }

    public void Dispose() => _pool?.Dispose();

    private LoopPool Pool => _pool!;

    private string Mount => Pool.Pool.MountPoint;

    private CliOutcome Ok(params string[] args)
    {
        var result = CliHarness.Run(Pool.ConfigPath, ["solstice", "dataset", .. args]);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result;
    }

    private CliOutcome Fails(string expectedError, params string[] args)
    {
        var result = CliHarness.Run(Pool.ConfigPath, ["solstice", "dataset", .. args]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expectedError + "\n", result.Error);
        return result;
    }

    [PrivilegedFact]
    public void Import_lays_out_the_pool_with_simple_quotas()
    {
        Assert.True(Mounts.IsBtrfs(Mount));
        Assert.True(Pool.Pool.Driver.Info.Quotas);
        Assert.Equal("zones\nzones/archive\nzones/config\nzones/cores\nzones/images\n", Ok("list", "-H", "-o", "name").Out);
        foreach (string child in PoolManager.LayoutDatasets)
            Assert.True(FileStat.IsSubvolumeRoot(Path.Combine(Mount, child)));
    }

    [PrivilegedFact]
    public void Create_and_destroy_a_subvolume()
    {
        Ok("create", "zones/a");
        Assert.True(FileStat.IsSubvolumeRoot(Path.Combine(Mount, "a")));
        Fails("cannot create 'zones/a': dataset already exists", "create", "zones/a");
        Fails("cannot create 'zones/x/y': parent does not exist", "create", "zones/x/y");
        Ok("create", "-p", "zones/x/y");
        Ok("destroy", "zones/a");
        Assert.False(Directory.Exists(Path.Combine(Mount, "a")));
        Fails("cannot destroy 'zones/x': filesystem has children\nuse '-r' to destroy the following datasets:\nzones/x/y", "destroy", "zones/x");
        Ok("destroy", "-r", "zones/x");
        Assert.False(Directory.Exists(Path.Combine(Mount, "x")));
    }

    [PrivilegedFact]
    public void Snapshot_rollback_and_delete_snapshot()
    {
        Ok("create", "zones/a");
        string file = Path.Combine(Mount, "a", "f");
        File.WriteAllText(file, "one");
        Ok("snapshot", "zones/a@s1");
        File.WriteAllText(file, "two");
        File.WriteAllText(Path.Combine(Mount, "a", "added"), "x");
        Ok("snapshot", "zones/a@s2");
        Assert.Equal("zones/a@s1\nzones/a@s2\n", Ok("list", "-H", "-t", "snapshot", "-o", "name", "zones/a").Out);
        Fails("cannot create snapshot 'zones/a@s1': dataset already exists", "snapshot", "zones/a@s1");

        var refused = CliHarness.Run(Pool.ConfigPath, "solstice", "dataset", "rollback", "zones/a@s1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("more recent snapshots", refused.Error);
        Assert.Equal("two", File.ReadAllText(file));

        Ok("rollback", "-r", "zones/a@s1");
        Assert.Equal("one", File.ReadAllText(file));
        Assert.False(File.Exists(Path.Combine(Mount, "a", "added")));
        Assert.Equal("zones/a@s1\n", Ok("list", "-H", "-t", "snapshot", "-o", "name", "zones/a").Out);

        Ok("destroy", "zones/a@s1");
        Assert.Equal("", Ok("list", "-H", "-t", "snapshot", "-o", "name", "zones/a").Out);
        Fails("cannot destroy 'zones/a@s1': dataset does not exist", "destroy", "zones/a@s1");
    }

    [PrivilegedFact]
    public void Rollback_keeps_child_datasets_and_the_quota()
    {
        Ok("create", "-o", "quota=100M", "zones/a");
        Ok("create", "zones/a/child");
        File.WriteAllText(Path.Combine(Mount, "a", "child", "keep"), "kept");
        Ok("snapshot", "zones/a@s");
        File.WriteAllText(Path.Combine(Mount, "a", "later"), "gone");
        Ok("rollback", "zones/a@s");
        Assert.False(File.Exists(Path.Combine(Mount, "a", "later")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(Mount, "a", "child", "keep")));
        Assert.True(FileStat.IsSubvolumeRoot(Path.Combine(Mount, "a", "child")));
        Assert.Equal("zones/a\tquota\t104857600\tlocal\n", Ok("get", "-Hp", "quota", "zones/a").Out);
    }

    [PrivilegedFact]
    public void Clone_is_writable_and_independent()
    {
        Ok("create", "zones/img");
        TreeChecksum.WriteRandomFile(Path.Combine(Mount, "img", "data"), 4 << 20, 1);
        Ok("snapshot", "zones/img@final");
        Ok("clone", "zones/img@final", "zones/vm1");
        Assert.Equal(TreeChecksum.Of(Path.Combine(Mount, "img")), TreeChecksum.Of(Path.Combine(Mount, "vm1")));
        File.WriteAllText(Path.Combine(Mount, "vm1", "data"), "changed");
        Assert.Equal(4 << 20, new FileInfo(Path.Combine(Mount, "img", "data")).Length);
        Assert.Equal("zones/vm1\torigin\tzones/img@final\t-\n", Ok("get", "-H", "origin", "zones/vm1").Out);
        Fails("cannot create 'zones/vm1': dataset already exists", "clone", "zones/img@final", "zones/vm1");
    }

    [PrivilegedFact]
    public void Quota_is_enforced_by_the_kernel_and_reported()
    {
        Ok("create", "zones/q");
        Ok("set", "quota=8M", "zones/q");
        Assert.Equal("zones/q\tquota\t8M\tlocal\n", Ok("get", "-H", "quota", "zones/q").Out);
        var write = Assert.ThrowsAny<IOException>(() =>
        {
            using var stream = File.Create(Path.Combine(Mount, "q", "big"));
            var chunk = new byte[1 << 20];
            for (int i = 0; i < 32; i++)
            {
                stream.Write(chunk);
                stream.Flush(flushToDisk: true);
            }
        });
        Assert.Contains("quota", write.Message, StringComparison.OrdinalIgnoreCase);
        // -o value: just the value, as zfs prints it.
        long used = long.Parse(Ok("get", "-Hp", "-o", "value", "used", "zones/q").Out.TrimEnd('\n'));
        Assert.InRange(used, 1 << 20, 9 << 20);
        Ok("set", "quota=none", "zones/q");
        Assert.Equal("zones/q\tquota\tnone\tdefault\n", Ok("get", "-H", "quota", "zones/q").Out);
        Fails("cannot set property for 'zones/q': bad numeric value 'lots'", "set", "quota=lots", "zones/q");
    }

    [PrivilegedFact]
    public void Get_reports_usage_in_zfs_formats()
    {
        Ok("create", "zones/u");
        TreeChecksum.WriteRandomFile(Path.Combine(Mount, "u", "f"), 3 << 20, 2);
        Linux.Interop.Libc.Fsync(0);
        new ProcessCommandRunner().Run(["sync"]);
        string[] fields = Ok("get", "-Hp", "used,referenced,available,type,mountpoint", "zones/u").Out.TrimEnd().Split('\n').Select(l => l.Split('\t')[2]).ToArray();
        Assert.InRange(long.Parse(fields[0]), 3 << 20, 4 << 20);
        Assert.InRange(long.Parse(fields[1]), 3 << 20, 4 << 20);
        Assert.True(long.Parse(fields[2]) > 100 << 20);
        Assert.Equal("filesystem", fields[3]);
        Assert.Equal(Path.Combine(Mount, "u"), fields[4]);
        Assert.Matches(@"^zones/u\s+3\.0\dM\s+\S+\s+3\.0\dM\s+/", Ok("list", "zones/u").Out.Split('\n')[1]);
    }

    [PrivilegedFact]
    public void Full_and_incremental_streams_reach_a_second_pool_intact()
    {
        Pool.AddPool("backup", "1G");
        Ok("create", "zones/src");
        string src = Path.Combine(Mount, "src");
        TreeChecksum.WriteRandomFile(Path.Combine(src, "a"), 2 << 20, 3);
        Directory.CreateDirectory(Path.Combine(src, "dir"));
        File.CreateSymbolicLink(Path.Combine(src, "dir", "link"), "../a");
        Ok("snapshot", "zones/src@s1");
        string atS1 = TreeChecksum.Of(src);
        TreeChecksum.WriteRandomFile(Path.Combine(src, "b"), 1 << 20, 4);
        File.Delete(Path.Combine(src, "a"));
        Ok("snapshot", "zones/src@s2");
        string atS2 = TreeChecksum.Of(src);

        var full = CliHarness.Shell(Pool.ConfigPath, "$S dataset send zones/src@s1 | $S dataset receive backup/copy");
        Assert.True(full.ExitCode == 0, full.Error);
        string copy = Path.Combine(Pool.PoolConfig("backup").Mountpoint, "copy");
        Assert.Equal(atS1, TreeChecksum.Of(copy));

        var incremental = CliHarness.Shell(Pool.ConfigPath, "$S dataset send -i @s1 zones/src@s2 | $S dataset receive backup/copy");
        Assert.True(incremental.ExitCode == 0, incremental.Error);
        Assert.Equal(atS2, TreeChecksum.Of(copy));
        Assert.Equal("backup/copy@s1\nbackup/copy@s2\n", Ok("list", "-H", "-t", "snapshot", "-o", "name", "backup/copy").Out);

        var again = CliHarness.Shell(Pool.ConfigPath, "$S dataset send zones/src@s1 | $S dataset receive backup/copy");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("destination 'backup/copy' exists", again.Error);
    }

    [PrivilegedFact]
    public void Receive_into_a_full_pool_fails_and_leaves_nothing()
    {
        var small = Pool.AddPool("small", "300M");
        Ok("create", "zones/big");
        for (int i = 0; i < 5; i++)
            TreeChecksum.WriteRandomFile(Path.Combine(Mount, "big", $"f{i}"), 100 << 20, 10 + i);
        Ok("snapshot", "zones/big@s");
        byte[] stream = CliHarness.Run(Pool.ConfigPath, "solstice", "dataset", "send", "zones/big@s").Binary;
        var result = CliHarness.Run(Pool.ConfigPath, stream, "solstice", "dataset", "receive", "small/big");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("cannot receive into 'small/big': ", result.Error);
        Assert.False(Directory.Exists(Path.Combine(small.MountPoint, "big")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(small.MountPoint, ".solstice", "tmp")));
        Assert.False(Directory.Exists(Path.Combine(small.MountPoint, ".snapshots")) &&
            Directory.EnumerateFileSystemEntries(Path.Combine(small.MountPoint, ".snapshots")).Any());
    }

    [PrivilegedFact]
    public void Garbage_stream_is_rejected_without_residue()
    {
        var result = CliHarness.Run(Pool.ConfigPath, "not a btrfs stream at all"u8.ToArray(), "solstice", "dataset", "receive", "zones/junk");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("cannot receive into 'zones/junk': input is not a btrfs send stream\n", result.Error);
        Assert.False(Directory.Exists(Path.Combine(Mount, "junk")));
    }

    [PrivilegedFact]
    public void Pool_survives_export_and_reimport()
    {
        Ok("create", "zones/persist");
        File.WriteAllText(Path.Combine(Mount, "persist", "f"), "still here");
        Ok("snapshot", "zones/persist@s");
        var config = Pool.PoolConfig("zones");
        PoolManager.Default.Export(config);
        Assert.Null(Mounts.Find(config.Mountpoint));
        Assert.False(PoolManager.Default.IsImported(config));
        var unavailable = CliHarness.Run(Pool.ConfigPath, "solstice", "dataset", "list", "zones");
        Assert.Equal(1, unavailable.ExitCode);
        Assert.Contains("pool 'zones' is not imported", unavailable.Error);
        PoolManager.Default.Import(config);
        Assert.Equal("still here", File.ReadAllText(Path.Combine(Mount, "persist", "f")));
        Assert.Equal("zones/persist@s\n", Ok("list", "-H", "-t", "snapshot", "-o", "name", "zones/persist").Out);
        Assert.True(Pool.Pool.Driver.Info.Quotas);
    }

    [PrivilegedFact]
    public void Missing_device_is_named_and_nothing_is_mounted()
    {
        var config = new PoolConfig { Name = "ghost", Device = "/dev/solstice-no-such-disk", Mountpoint = Path.Combine(Pool.Directory, "ghost") };
        var ex = Assert.Throws<Core.SolsticeException>(() => PoolManager.Default.Import(config));
        Assert.Equal("cannot import 'ghost': device '/dev/solstice-no-such-disk' does not exist", ex.Message);
        Assert.Null(Mounts.Find(config.Mountpoint));
    }

    [PrivilegedFact]
    public void A_pool_file_that_cannot_be_formatted_is_removed()
    {
        var config = new PoolConfig { Name = "tiny", File = Path.Combine(Pool.Directory, "tiny.img"), Size = "1M", Mountpoint = Path.Combine(Pool.Directory, "tiny") };
        var ex = Assert.Throws<Core.SolsticeException>(() => PoolManager.Default.Import(config));
        Assert.Contains("pool size must be at least 256M", ex.Message);
        Assert.False(File.Exists(config.File));
    }
}

[CollectionDefinition("Privileged storage", DisableParallelization = true)]
public sealed class PrivilegedStorageCollection;
