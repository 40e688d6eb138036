using Solstice.Core;
using Solstice.TestKit;

namespace Solstice.Storage.Tests;

public class StoragePoolTests
{
    private readonly FakeStorageDriver _driver = new();
    private readonly StoragePool _pool;

    public StoragePoolTests() => _pool = new StoragePool("zones", _driver);

    private static DatasetName N(string text) => DatasetName.Parse(text);

    [Fact]
    public void Create_refuses_an_existing_dataset()
    {
        _pool.Create(N("zones/a"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.Create(N("zones/a")));
        Assert.Equal("cannot create 'zones/a': dataset already exists", ex.Message);
        Assert.Equal(ErrorCode.AlreadyExists, ex.Code);
    }

    [Fact]
    public void Create_needs_the_parent_unless_asked_to_make_it()
    {
        var ex = Assert.Throws<SolsticeException>(() => _pool.Create(N("zones/a/b")));
        Assert.Equal("cannot create 'zones/a/b': parent does not exist", ex.Message);
        _pool.Create(N("zones/a/b"), createParents: true);
        Assert.Equal(["create a", "create a/b"], _driver.Operations);
    }

    [Fact]
    public void Failed_quota_rolls_back_the_created_dataset()
    {
        _driver.Create("x");
        _driver.Operations.Clear();
        var pool = new StoragePool("zones", new FailingQuotaDriver(_driver));
        Assert.Throws<SolsticeException>(() => pool.Create(N("zones/a"), quota: 1 << 20));
        Assert.False(_driver.Exists("a"));
        Assert.Equal(["create a", "destroy a"], _driver.Operations);
    }

    [Fact]
    public void Failed_parent_creation_leaves_nothing()
    {
        _driver.Create("p");
        _driver.Operations.Clear();
        var pool = new StoragePool("zones", new FailOnDriver(_driver, "create q/r"));
        Assert.Throws<SolsticeException>(() => pool.Create(N("zones/q/r"), createParents: true));
        Assert.False(_driver.Exists("q"));
        Assert.False(_driver.Exists("q/r"));
    }

    [Fact]
    public void Snapshot_of_missing_dataset_names_it()
    {
        var ex = Assert.Throws<SolsticeException>(() => _pool.Snapshot(N("zones/nope@s")));
        Assert.Equal("cannot open 'zones/nope': dataset does not exist", ex.Message);
    }

    [Fact]
    public void Duplicate_snapshot_is_refused()
    {
        _pool.Create(N("zones/a"));
        _pool.Snapshot(N("zones/a@s"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.Snapshot(N("zones/a@s")));
        Assert.Equal("cannot create snapshot 'zones/a@s': dataset already exists", ex.Message);
    }

    [Fact]
    public void Rollback_lists_newer_snapshots_and_destroys_them_with_r()
    {
        _pool.Create(N("zones/a"));
        _pool.Snapshot(N("zones/a@s1"));
        _pool.Snapshot(N("zones/a@s2"));
        _pool.Snapshot(N("zones/a@s3"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.Rollback(N("zones/a@s1"), destroyNewer: false));
        Assert.Contains("more recent snapshots", ex.Message);
        Assert.EndsWith("zones/a@s2\nzones/a@s3", ex.Message);
        _pool.Rollback(N("zones/a@s1"), destroyNewer: true);
        Assert.Equal(["s1"], _driver.ListSnapshots("a").Select(s => s.Name));
        Assert.Equal("rollback a@s1", _driver.Operations[^1]);
    }

    [Fact]
    public void Destroy_with_dependents_needs_r_and_then_removes_depth_first()
    {
        _pool.Create(N("zones/a"));
        _pool.Create(N("zones/a/b"));
        _pool.Snapshot(N("zones/a@s"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.Destroy(N("zones/a"), recursive: false));
        Assert.Equal("cannot destroy 'zones/a': filesystem has children\nuse '-r' to destroy the following datasets:\nzones/a@s\nzones/a/b", ex.Message);
        _driver.Operations.Clear();
        _pool.Destroy(N("zones/a"), recursive: true);
        Assert.Equal(["destroy a/b", "destroy a@s", "destroy a"], _driver.Operations);
    }

    [Fact]
    public void Pool_root_cannot_be_destroyed()
    {
        var ex = Assert.Throws<SolsticeException>(() => _pool.Destroy(N("zones"), recursive: true));
        Assert.StartsWith("cannot destroy 'zones': operation does not apply to pools", ex.Message);
    }

    [Fact]
    public void Clone_checks_source_target_and_parent()
    {
        _pool.Create(N("zones/a"));
        Assert.Equal("cannot open 'zones/a@s': dataset does not exist",
            Assert.Throws<SolsticeException>(() => _pool.Clone(N("zones/a@s"), N("zones/b"))).Message);
        _pool.Snapshot(N("zones/a@s"));
        Assert.Equal("cannot create 'zones/x/b': parent does not exist",
            Assert.Throws<SolsticeException>(() => _pool.Clone(N("zones/a@s"), N("zones/x/b"))).Message);
        Assert.Equal("cannot create 'zones/a': dataset already exists",
            Assert.Throws<SolsticeException>(() => _pool.Clone(N("zones/a@s"), N("zones/a"))).Message);
        _pool.Clone(N("zones/a@s"), N("zones/b"));
        Assert.True(_driver.Exists("b"));
    }

    [Fact]
    public void Quota_on_a_driver_without_quotas_is_not_supported()
    {
        _driver.Info = _driver.Info with { Name = "dir", Quotas = false };
        _pool.Create(N("zones/a"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.SetQuota(N("zones/a"), 1 << 20));
        Assert.Equal(ErrorCode.NotSupported, ex.Code);
        Assert.Contains("dir storage driver has no quotas", ex.Message);
    }

    [Fact]
    public void Out_of_space_from_the_kernel_is_reported_with_the_dataset()
    {
        _driver.FailNext = new Solstice.Linux.Interop.SyscallException("create subvolume", Solstice.Linux.Interop.Errno.ENOSPC);
        var ex = Assert.Throws<SolsticeException>(() => _pool.Create(N("zones/full")));
        Assert.Equal("cannot create 'zones/full': out of space", ex.Message);
        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
    }

    [Fact]
    public void Incremental_send_needs_the_parent_snapshot()
    {
        _pool.Create(N("zones/a"));
        _pool.Snapshot(N("zones/a@s2"));
        var ex = Assert.Throws<SolsticeException>(() => _pool.Send(N("zones/a@s2"), "@s1", Stream.Null));
        Assert.Equal("cannot open 'zones/a@s1': dataset does not exist", ex.Message);
        _pool.Snapshot(N("zones/a@s1"));
        _pool.Send(N("zones/a@s2"), "zones/a@s1", Stream.Null);
        Assert.Equal("send a@s2 from s1", _driver.Operations[^1]);
    }

    [Fact]
    public void Names_from_another_pool_are_refused()
    {
        var ex = Assert.Throws<SolsticeException>(() => _pool.Create(N("other/a")));
        Assert.Equal("cannot open 'other/a': no such pool 'other'", ex.Message);
    }

    [Fact]
    public void Listing_walks_children_and_snapshots_in_order()
    {
        _pool.Create(N("zones/b"));
        _pool.Create(N("zones/a"));
        _pool.Create(N("zones/a/c"));
        _pool.Snapshot(N("zones/a@s"));
        var names = _pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name);
        Assert.Equal(["zones", "zones/a", "zones/a@s", "zones/a/c", "zones/b"], names);
    }

    private sealed class FailingQuotaDriver(FakeStorageDriver inner) : DelegatingDriver(inner)
    {
        public override void SetQuota(string dataset, long? bytes) => throw new IOException("qgroup limit failed");
    }

    private sealed class FailOnDriver(FakeStorageDriver inner, string failing) : DelegatingDriver(inner)
    {
        public override void Create(string dataset)
        {
            if ($"create {dataset}" == failing)
                throw new IOException("injected");
            base.Create(dataset);
        }
    }
}
