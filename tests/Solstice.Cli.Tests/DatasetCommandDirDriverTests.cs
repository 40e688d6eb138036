using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// The dataset verbs end to end on the dir driver, which needs no root: the same CLI code the
/// btrfs integration tests run, over plain directories.
/// </summary>
public sealed class DatasetCommandDirDriverTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public DatasetCommandDirDriverTests()
    {
        _config = _dir.Combine("node.json");
        var config = new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") }] };
        config.Save(_config);
        Assert.Equal(0, Run("solstice", "setup").ExitCode);
    }

    public void Dispose() => _dir.Dispose();

    private CliOutcome Run(string tool, params string[] args) => CliHarness.Run(_config, tool, args);

    [Fact]
    public void Setup_lays_out_the_smartos_datasets()
    {
        var result = Run("solstice", "dataset", "list", "-H", "-o", "name");
        Assert.Equal("zones\nzones/archive\nzones/config\nzones/cores\nzones/images\n", result.Out);
    }

    [Fact]
    public void Snapshot_clone_and_rollback_on_directories()
    {
        Assert.Equal(0, Run("solstice", "dataset", "create", "zones/a").ExitCode);
        File.WriteAllText(_dir.Combine("zones", "a", "file"), "one");
        Assert.Equal(0, Run("solstice", "dataset", "snapshot", "zones/a@s1").ExitCode);
        File.WriteAllText(_dir.Combine("zones", "a", "file"), "two");
        Assert.Equal(0, Run("solstice", "dataset", "clone", "zones/a@s1", "zones/b").ExitCode);
        Assert.Equal("one", File.ReadAllText(_dir.Combine("zones", "b", "file")));
        Assert.Equal(0, Run("solstice", "dataset", "rollback", "zones/a@s1").ExitCode);
        Assert.Equal("one", File.ReadAllText(_dir.Combine("zones", "a", "file")));
        var origin = Run("solstice", "dataset", "get", "-H", "origin", "zones/b");
        Assert.Equal("zones/b\torigin\tzones/a@s1\t-\n", origin.Out);
    }

    [Fact]
    public void Quota_is_refused_with_the_driver_named()
    {
        Run("solstice", "dataset", "create", "zones/q");
        var result = Run("solstice", "dataset", "set", "quota=1G", "zones/q");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("cannot set quota on 'zones/q': the dir storage driver has no quotas\n", result.Error);
    }

    [Fact]
    public void Usage_errors_exit_2_and_domain_errors_exit_1()
    {
        Assert.Equal(2, Run("solstice", "dataset", "frobnicate").ExitCode);
        Assert.Equal(2, Run("solstice", "dataset", "list", "-Z").ExitCode);
        var missing = Run("solstice", "dataset", "destroy", "zones/missing");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("cannot destroy 'zones/missing': dataset does not exist\n", missing.Error);
        var traversal = Run("solstice", "dataset", "create", "zones/../../etc");
        Assert.Equal(1, traversal.ExitCode);
        Assert.Contains("'..' is not a valid dataset name component", traversal.Error);
        Assert.False(Directory.Exists(_dir.Combine("etc")));
    }

    [Fact]
    public void Send_and_receive_a_full_tar_stream()
    {
        Run("solstice", "dataset", "create", "zones/src");
        File.WriteAllText(_dir.Combine("zones", "src", "data"), "payload");
        Run("solstice", "dataset", "snapshot", "zones/src@s");
        var sent = Run("solstice", "dataset", "send", "zones/src@s");
        Assert.Equal(0, sent.ExitCode);
        var received = CliHarness.Run(_config, "solstice", sent.Binary, "dataset", "receive", "zones/dst");
        Assert.Equal(0, received.ExitCode);
        Assert.Equal("payload", File.ReadAllText(_dir.Combine("zones", "dst", "data")));
        var incremental = Run("solstice", "dataset", "send", "-i", "@s", "zones/src@s");
        Assert.Equal(1, incremental.ExitCode);
        Assert.Contains("no incremental streams", incremental.Error);
    }

    [Fact]
    public void Get_honours_its_output_fields_sources_types_and_depth_as_zfs_does()
    {
        Run("solstice", "dataset", "create", "-p", "zones/g/child/leaf");
        Run("solstice", "dataset", "snapshot", "zones/g@s");
        string mountpoint = _dir.Combine("zones", "g");
        Assert.Equal(mountpoint + "\n", Run("solstice", "dataset", "get", "-H", "-o", "value", "mountpoint", "zones/g").Out);
        Assert.Equal($"mountpoint\t{mountpoint}\n", Run("solstice", "dataset", "get", "-Ho", "property,value", "mountpoint", "zones/g").Out);
        Assert.Equal("zones/g\tmountpoint\t-\tdefault\n",
            Run("solstice", "dataset", "get", "-H", "-o", "name,property,received,source", "mountpoint", "zones/g").Out);
        Assert.Equal("NAME     VALUE\nzones/g  none\n", Run("solstice", "dataset", "get", "-o", "name,value", "quota", "zones/g").Out);
        // -r includes snapshots; -t narrows; -d counts a snapshot one level below its dataset.
        Assert.Equal("zones/g\nzones/g@s\nzones/g/child\nzones/g/child/leaf\n",
            Run("solstice", "dataset", "get", "-rH", "-o", "name", "type", "zones/g").Out);
        Assert.Equal("zones/g@s\n", Run("solstice", "dataset", "get", "-rH", "-t", "snapshot", "-o", "name", "type", "zones/g").Out);
        Assert.Equal("zones/g\nzones/g@s\nzones/g/child\n", Run("solstice", "dataset", "get", "-H", "-d", "1", "-o", "name", "type", "zones/g").Out);
        // -s filters by source: quota is default, type has none.
        Assert.Equal("zones/g\tquota\n", Run("solstice", "dataset", "get", "-H", "-s", "default", "-o", "name,property", "quota,type", "zones/g").Out);
        Assert.Equal("zones/g\ttype\n", Run("solstice", "dataset", "get", "-H", "-s", "none", "-o", "name,property", "quota,type", "zones/g").Out);
        // No dataset: every dataset of every pool.
        Assert.Contains("zones/images\n", Run("solstice", "dataset", "get", "-H", "-o", "name", "type").Out);
        var bad = Run("solstice", "dataset", "get", "-o", "colour", "type", "zones/g");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("invalid field 'colour'", bad.Error);
        Assert.Equal(2, Run("solstice", "dataset", "get", "-s", "sideways", "type", "zones/g").ExitCode);
    }

    [Fact]
    public void List_takes_depth_type_lists_several_sort_keys_and_snapshot_takes_r()
    {
        Run("solstice", "dataset", "create", "-p", "zones/l/b/deep");
        Run("solstice", "dataset", "create", "zones/l/a");
        Assert.Equal(0, Run("solstice", "dataset", "snapshot", "-r", "zones/l@r").ExitCode);
        Assert.Equal("zones/l/a@r\nzones/l/b/deep@r\nzones/l/b@r\nzones/l@r\n",
            Run("solstice", "dataset", "list", "-rH", "-t", "snapshot", "-o", "name", "-s", "name", "zones/l").Out);
        Assert.Equal("zones/l\nzones/l@r\nzones/l/a\nzones/l/b\n",
            Run("solstice", "dataset", "list", "-H", "-d", "1", "-t", "filesystem,snapshot", "-o", "name", "zones/l").Out);
        Assert.Equal("zones/l/b\nzones/l/a\n",
            Run("solstice", "dataset", "list", "-H", "-d", "0", "-o", "name", "-s", "type", "-S", "name", "zones/l/a", "zones/l/b").Out);
        Assert.Equal(2, Run("solstice", "dataset", "list", "-t", "disk").ExitCode);
        Assert.Equal(2, Run("solstice", "dataset", "list", "-d", "x").ExitCode);
    }
}
