using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances;

namespace Solstice.Node.Tests;

/// <summary>The VM service's lifecycle against a fake instance driver: what it asks of the driver, and what it records.</summary>
public sealed class VmServiceTests : IDisposable
{
    private readonly VmServiceFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task Create_without_autoboot_records_a_stopped_vm_and_asks_the_driver_only_to_create()
    {
        var events = _node.Events.Subscribe();
        string uuid = await _node.CreateAsync(autoboot: false);

        Assert.Equal("stopped", _node.State(uuid));
        Assert.Equal(["create"], _node.Driver.CallsFor(uuid));
        Assert.True(_node.Pool.Exists(_node.Pool.Root.Child(uuid)));
        Assert.True(events.TryRead(out var evt));
        Assert.Equal(uuid, evt["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_with_autoboot_boots_through_the_driver_in_order()
    {
        string uuid = await _node.CreateAsync(autoboot: true);

        Assert.Equal("running", _node.State(uuid));
        Assert.Equal(["create", "prepare", "start", "started"], _node.Driver.CallsFor(uuid));
        Assert.Equal(_node.Driver.PidOf(uuid), _node.Vms.Get(uuid)["pid"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_and_stop_run_and_end_the_instance()
    {
        string uuid = await _node.CreateAsync(autoboot: false);

        var started = await _node.Vms.StartAsync(uuid, CancellationToken.None);
        Assert.False(started.AlreadyDone);
        Assert.Equal("running", _node.State(uuid));
        Assert.True((await _node.Vms.StartAsync(uuid, CancellationToken.None)).AlreadyDone);

        var stopped = await _node.Vms.StopAsync(uuid, force: false, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(stopped.AlreadyDone);
        Assert.Equal("stopped", _node.State(uuid));
        var vm = _node.Vms.Get(uuid);
        Assert.False(vm["autoboot"]!.GetValue<bool>());
        Assert.Contains("signal:15", _node.Driver.CallsFor(uuid));
        // After the exit the driver's state for the instance is removed.
        Assert.Null(_node.Driver.State(uuid));
    }

    [Fact]
    public async Task A_live_property_reaches_the_driver_only_while_running()
    {
        string uuid = await _node.CreateAsync(autoboot: false);
        await _node.Vms.UpdateAsync(uuid, new JsonObject { ["max_physical_memory"] = 512 }, CancellationToken.None);
        Assert.DoesNotContain("update", _node.Driver.CallsFor(uuid));

        await _node.Vms.StartAsync(uuid, CancellationToken.None);
        await _node.Vms.UpdateAsync(uuid, new JsonObject { ["alias"] = "renamed" }, CancellationToken.None);
        Assert.DoesNotContain("update", _node.Driver.CallsFor(uuid));
        await _node.Vms.UpdateAsync(uuid, new JsonObject { ["max_physical_memory"] = 1024 }, CancellationToken.None);
        Assert.Contains("update", _node.Driver.CallsFor(uuid));
    }

    [Fact]
    public async Task A_failed_boot_during_create_reverts_everything()
    {
        _node.Driver.FailStart = new SolsticeException(ErrorCode.BackendFailed, "runtime refused");

        var ex = await Assert.ThrowsAsync<SolsticeException>(() => _node.Vms.CreateAsync(_node.Payload(autoboot: true), null, CancellationToken.None));

        Assert.Equal("runtime refused", ex.Message);
        Assert.Empty(_node.Vms.All());
        string uuid = _node.Driver.Calls.First().Split(' ')[1];
        Assert.False(_node.Pool.Exists(_node.Pool.Root.Child(uuid)));
        Assert.Contains("delete", _node.Driver.CallsFor(uuid));
        Assert.Null(_node.Driver.State(uuid));
    }

    [Fact]
    public async Task A_failed_start_leaves_the_vm_stopped_and_the_driver_cleaned()
    {
        string uuid = await _node.CreateAsync(autoboot: false);
        _node.Driver.FailStart = new SolsticeException(ErrorCode.BackendFailed, "runtime refused");

        await Assert.ThrowsAsync<SolsticeException>(() => _node.Vms.StartAsync(uuid, CancellationToken.None));

        Assert.Equal("stopped", _node.State(uuid));
        Assert.Equal("delete", _node.Driver.CallsFor(uuid)[^1]);
        _node.Driver.FailStart = null;
        await _node.Vms.StartAsync(uuid, CancellationToken.None);
        Assert.Equal("running", _node.State(uuid));
    }

    [Fact]
    public async Task After_a_restart_a_running_instance_is_adopted_with_its_pid()
    {
        string uuid = await _node.CreateAsync(autoboot: true);
        int pid = _node.Driver.PidOf(uuid);

        _node.Restart();

        Assert.Equal("running", _node.State(uuid));
        Assert.Equal(pid, _node.Vms.Get(uuid)["pid"]!.GetValue<int>());
        Assert.Contains("adopt", _node.Driver.CallsFor(uuid));
        // The new service watches it: a stop completes.
        await _node.Vms.StopAsync(uuid, force: false, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal("stopped", _node.State(uuid));
    }

    [Fact]
    public async Task After_a_restart_an_instance_that_died_meanwhile_is_stopped_with_an_unknown_exit()
    {
        string uuid = await _node.CreateAsync(autoboot: true);
        _node.Restart(); // adopted
        string other = await _node.CreateAsync(autoboot: true);

        _node.Restart(whileDown: () => _node.Driver.Crash(other));

        Assert.Equal("running", _node.State(uuid));
        Assert.Equal("stopped", _node.State(other));
        Assert.Equal(-1, _node.Vms.Get(other)["exit_status"]!.GetValue<int>());
        Assert.Null(_node.Driver.State(other));
    }

    [Fact]
    public async Task Recovery_on_node_boot_boots_autoboot_vms_and_sweeps_instances_no_vm_needs()
    {
        string uuid = await _node.CreateAsync(autoboot: true);
        string stray = Guid.NewGuid().ToString();
        _node.Driver.Start(new JsonObject { ["uuid"] = stray });

        _node.Restart(nodeBoot: true, whileDown: () => _node.Driver.Crash(uuid));

        Assert.Equal("running", _node.State(uuid));
        Assert.Null(_node.Driver.State(stray));
    }

    [Fact]
    public async Task Delete_removes_the_instance_the_dataset_and_the_record()
    {
        string uuid = await _node.CreateAsync(autoboot: true);

        await _node.Vms.DeleteAsync(uuid, CancellationToken.None);

        Assert.Empty(_node.Vms.All());
        Assert.Null(_node.Driver.State(uuid));
        Assert.False(_node.Pool.Exists(_node.Pool.Root.Child(uuid)));
        var ex = Assert.Throws<SolsticeException>(() => _node.Vms.Get(uuid));
        Assert.Equal(ErrorCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task A_brand_no_available_driver_serves_is_refused_with_a_sentence()
    {
        using var node = new VmServiceFixture(new Solstice.Instances.Hvm.HvmDriver());

        var payload = node.Payload(false, VmBrand.Lx);
        payload["kernel_version"] = "4.3.0";
        var lx = await Assert.ThrowsAsync<SolsticeException>(() => node.Vms.CreateAsync(payload, null, CancellationToken.None));
        Assert.Equal(ErrorCode.NotSupported, lx.Code);
        Assert.Equal("brand 'lx' is not supported on this node (joyent is)", lx.Message);
        Assert.Empty(node.Vms.All());
    }

    [Fact]
    public void Drivers_are_chosen_by_brand_through_their_capability_records()
    {
        var drivers = new InstanceDrivers([_node.Driver, new Solstice.Instances.Hvm.HvmDriver()]);

        Assert.Same(_node.Driver, drivers.For(VmBrand.Joyent));
        Assert.Null(drivers.Find(VmBrand.Kvm));
        var ex = Assert.Throws<SolsticeException>(() => drivers.For(VmBrand.Kvm));
        Assert.Equal("brand 'kvm' is not supported on this node (joyent is): the QEMU driver for HVM brands is not yet available", ex.Message);
        Assert.Equal(["zone-dataset"], drivers.Brand(VmBrand.Joyent)!.ImageTypes);
    }
}
