using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmUpdaterTests
{
    private static JsonObject BaseVm() => Create("""
        {'image_uuid': '@img', 'alias': 'web', 'cpu_cap': 100, 'ram': 1024,
         'tags': {'role': 'web', 'old': 'x'}, 'customer_metadata': {'a': '1'}, 'internal_metadata': {'ns:k': 'v'},
         'routes': {'10.0.0.0/8': '10.1.1.1'}, 'resolvers': ['8.8.8.8'],
         'nics': [
           {'nic_tag': 'external', 'mac': '90:b8:d0:c0:ff:ee', 'ips': ['10.1.1.5/24'], 'gateways': ['10.1.1.1']},
           {'nic_tag': 'internal', 'mac': '90:b8:d0:00:00:01', 'ips': ['192.168.0.5/24'], 'mtu': 9000}],
         'filesystems': [{'type': 'lofs', 'source': '/data', 'target': '/mnt'}]}
        """.Replace("@img", ImageUuid, StringComparison.Ordinal));

    private static VmUpdateResult Apply(string update, JsonObject? vm = null) =>
        VmUpdater.Apply(vm ?? BaseVm(), J(update), CountingBytes());

    private static string Changes(VmUpdateResult result) =>
        string.Join("; ", result.Changes.Select(c => $"{c.PrettyPath} {c.ActionName}"));

    [Theory]
    [InlineData("{'alias': 'db'}", "alias changed", "", "alias", "")]
    [InlineData("{'alias': null}", "alias removed", "", "alias", "")]
    [InlineData("{'cpu_cap': 0}", "cpu_cap removed", "cpu_cap", "", "")]
    [InlineData("{'cpu_cap': '200'}", "cpu_cap changed", "cpu_cap", "", "")]
    [InlineData("{'cpu_shares': 50, 'zfs_io_priority': 10, 'quota': 20, 'max_lwps': 3000}", "cpu_shares changed; max_lwps changed; quota changed; zfs_io_priority changed", "cpu_shares,max_lwps,quota,zfs_io_priority", "", "")]
    [InlineData("{'tmpfs': 0}", "tmpfs changed", "", "", "tmpfs")]
    [InlineData("{'quota': 0}", "quota changed", "quota", "", "")] // quota is kept at 0: no quota, as zfs reports it
    [InlineData("{'alias': 'web'}", "", "", "", "")]
    [InlineData("{'autoboot': false, 'hostname': 'h', 'owner_uuid': '930896af-bf8c-48d4-885c-6573a94b1853'}", "autoboot changed; hostname changed; owner_uuid changed", "", "autoboot,hostname,owner_uuid", "")]
    [InlineData("{'limit_priv': ['default', 'dtrace_user']}", "limit_priv changed", "", "", "limit_priv")]
    [InlineData("{'resolvers': '1.1.1.1,8.8.8.8'}", "resolvers.0 changed; resolvers.1 added", "resolvers.0,resolvers.1", "", "")]
    [InlineData("{'firewall_enabled': true}", "firewall_enabled changed", "firewall_enabled", "", "")]
    [InlineData("{'zfs_snapshot_limit': 5}", "zfs_snapshot_limit added", "zfs_snapshot_limit", "", "")]
    [InlineData("{'indestructible_zoneroot': true, 'do_not_inventory': true, 'archive_on_delete': true}", "archive_on_delete added; do_not_inventory added; indestructible_zoneroot added", "indestructible_zoneroot", "archive_on_delete,do_not_inventory", "")]
    public void Plain_properties(string update, string changes, string live, string metadata, string reboot)
    {
        var result = Apply(update);
        Assert.Equal(changes, Changes(result));
        Assert.Equal(live, string.Join(",", result.LivePaths));
        Assert.Equal(metadata, string.Join(",", result.MetadataPaths));
        Assert.Equal(reboot, string.Join(",", result.RebootPaths));
        Assert.Equal(reboot.Length > 0, result.RebootRequired);
    }

    [Fact]
    public void Maps_change_through_set_and_remove()
    {
        var result = Apply("""
            {'set_tags': {'role': 'db', 'env': 'prod', 'n': 2}, 'remove_tags': ['old', 'missing'],
             'set_customer_metadata': {'user-script': '#!/bin/sh'}, 'remove_customer_metadata': 'a',
             'set_internal_metadata': {'root_pw': 'secret'}, 'remove_internal_metadata': ['ns:k'],
             'set_routes': {'172.16.0.0/12': 'nics[1]'}, 'remove_routes': ['10.0.0.0/8']}
            """);
        Assert.Equal("{\"role\":\"db\",\"env\":\"prod\",\"n\":2}", Compact(result.Vm["tags"]));
        Assert.Equal("{\"user-script\":\"#!/bin/sh\"}", Compact(result.Vm["customer_metadata"]));
        Assert.Equal("{\"root_pw\":\"secret\"}", Compact(result.Vm["internal_metadata"]));
        Assert.Equal("{\"172.16.0.0/12\":\"nics[1]\"}", Compact(result.Vm["routes"]));
        Assert.Equal(
            "customer_metadata.a removed; customer_metadata.user-script added; internal_metadata.ns:k removed; " +
            "internal_metadata.root_pw added; routes.10.0.0.0/8 removed; routes.172.16.0.0/12 added; " +
            "tags.role changed; tags.old removed; tags.env added; tags.n added",
            Changes(result));
        Assert.Equal("routes.10.0.0.0/8,routes.172.16.0.0/12", string.Join(",", result.LivePaths));
        Assert.False(result.RebootRequired);
    }

    [Fact]
    public void Set_creates_a_missing_map()
    {
        var vm = BaseVm();
        vm.Remove("tags");
        var result = Apply("{'set_tags': {'a': 'b'}}", vm);
        Assert.Equal("{\"a\":\"b\"}", Compact(result.Vm["tags"]));
        Assert.Equal("tags added", Changes(result));
    }

    [Theory]
    // update → max_physical_memory max_locked_memory max_swap tmpfs
    [InlineData("{'ram': 2048}", "2048 2048 2048 2048")]
    [InlineData("{'max_physical_memory': 2048}", "2048 2048 2048 2048")]
    [InlineData("{'ram': 512, 'max_physical_memory': 4096}", "4096 4096 4096 4096")]
    [InlineData("{'ram': 512}", "512 512 512 512")] // max_swap keeps its distance (0) to max_physical_memory
    [InlineData("{'max_physical_memory': 2048, 'max_locked_memory': 4096, 'tmpfs': 8192}", "2048 2048 2048 2048")]
    [InlineData("{'max_physical_memory': 2048, 'max_locked_memory': 100, 'tmpfs': 300}", "2048 100 2048 300")]
    [InlineData("{'max_swap': 4096}", "1024 1024 4096 1024")]
    [InlineData("{'max_swap': 512}", "1024 1024 1024 1024")]
    public void Memory_limits_are_rederived(string update, string expected)
    {
        var result = Apply(update);
        Assert.Equal(expected, Memory(result.Vm));
        Assert.False(result.Vm.ContainsKey("ram"));
    }

    [Fact]
    public void Locked_memory_keeps_its_distance_and_tmpfs_its_ratio()
    {
        var vm = Apply("{'max_locked_memory': 512, 'tmpfs': 256}").Vm;
        Assert.Equal("1024 512 1024 256", Memory(vm));
        var result = Apply("{'ram': 2048}", vm);
        Assert.Equal("2048 1536 2048 512", Memory(result.Vm));
        Assert.Equal("max_locked_memory changed; max_physical_memory changed; max_swap changed; tmpfs changed", Changes(result));
    }

    [Fact]
    public void Hvm_ram_moves_max_physical_memory_and_needs_a_reboot()
    {
        var vm = Create("{'brand': 'kvm', 'ram': 1024}");
        var result = Apply("{'ram': 2048}", vm);
        Assert.Equal("2048", Compact(result.Vm["ram"]));
        Assert.Equal("3072", Compact(result.Vm["max_physical_memory"]));
        Assert.Equal("ram", string.Join(",", result.RebootPaths));
        Assert.Contains("max_physical_memory", result.LivePaths);
    }

    [Fact]
    public void Add_nics_generates_mac_and_interface()
    {
        var result = Apply("{'add_nics': [{'nic_tag': 'admin', 'ips': ['10.99.99.7/24'], 'vlan_id': '5'}]}");
        Assert.Equal(
            "{\"interface\":\"net2\",\"ip\":\"10.99.99.7\",\"ips\":[\"10.99.99.7/24\"],\"mac\":\"12:01:02:03:04:00\",\"netmask\":\"255.255.255.0\",\"nic_tag\":\"admin\",\"vlan_id\":5}",
            Compact(result.Vm["nics"]![2]));
        Assert.Equal("nics.2 added", Changes(result));
        Assert.Equal("nics.2", string.Join(",", result.RebootPaths));
    }

    [Fact]
    public void Add_nics_with_primary_moves_the_primary_flag()
    {
        var result = Apply("{'add_nics': [{'nic_tag': 'admin', 'mac': '0:1:2:3:4:5', 'primary': true}]}");
        Assert.Equal("nics.0.primary removed; nics.2 added", Changes(result));
        Assert.Equal("\"00:01:02:03:04:05\"", Compact(result.Vm["nics"]![2]!["mac"]));
        Assert.Equal("true", Compact(result.Vm["nics"]![2]!["primary"]));
    }

    [Fact]
    public void Update_nics_is_keyed_by_mac_and_moves_primary()
    {
        var result = Apply("{'update_nics': [{'mac': '90:B8:D0:0:0:1', 'primary': true, 'vlan_id': 7, 'mtu': null}]}");
        Assert.Equal("nics.0.primary removed; nics.1.mtu removed; nics.1.primary added; nics.1.vlan_id added", Changes(result));
        Assert.Equal("\"90:b8:d0:00:00:01\"", Compact(result.Vm["nics"]![1]!["mac"]));
    }

    [Fact]
    public void Update_nics_keeps_address_forms_in_step()
    {
        var result = Apply("{'update_nics': [{'mac': '90:b8:d0:c0:ff:ee', 'ips': ['10.1.2.5/16', '2001:db8::5/64']}]}");
        Assert.Equal("nics.0.ip changed; nics.0.ips.0 changed; nics.0.ips.1 added; nics.0.netmask changed", Changes(result));
        Assert.Equal("\"10.1.2.5\"", Compact(result.Vm["nics"]![0]!["ip"]));
        Assert.Equal("\"255.255.0.0\"", Compact(result.Vm["nics"]![0]!["netmask"]));

        result = Apply("{'update_nics': [{'mac': '90:b8:d0:c0:ff:ee', 'ip': '10.1.1.9', 'gateway': '10.1.1.254'}]}");
        Assert.Equal("nics.0.gateway changed; nics.0.gateways.0 changed; nics.0.ip changed; nics.0.ips.0 changed", Changes(result));
        Assert.Equal("[\"10.1.1.9/24\"]", Compact(result.Vm["nics"]![0]!["ips"]));

        result = Apply("{'update_nics': [{'mac': '90:b8:d0:c0:ff:ee', 'ips': ['dhcp']}]}");
        Assert.Equal("{\"gateway\":\"10.1.1.1\",\"gateways\":[\"10.1.1.1\"],\"interface\":\"net0\",\"ip\":\"dhcp\",\"ips\":[\"dhcp\"],\"mac\":\"90:b8:d0:c0:ff:ee\",\"nic_tag\":\"external\",\"primary\":true}",
            Compact(result.Vm["nics"]![0]));
    }

    [Fact]
    public void Removing_the_primary_nic_promotes_the_first_remaining()
    {
        var result = Apply("{'remove_nics': ['90:b8:d0:c0:ff:ee']}");
        Assert.Single(result.Vm["nics"]!.AsArray());
        Assert.Equal("nics.0 removed; nics.0.primary added", Changes(result));
        Assert.Equal("\"net1\"", Compact(result.Vm["nics"]![0]!["interface"]));
    }

    [Fact]
    public void Remove_then_add_the_same_mac_replaces_a_nic()
    {
        var result = Apply("{'remove_nics': ['90:b8:d0:00:00:01'], 'add_nics': [{'nic_tag': 'other', 'mac': '90:b8:d0:00:00:01'}]}");
        Assert.Equal("nics.1.ip removed; nics.1.ips removed; nics.1.mtu removed; nics.1.netmask removed; nics.1.nic_tag changed", Changes(result));
        Assert.Equal("\"net1\"", Compact(result.Vm["nics"]![1]!["interface"]));
    }

    [Fact]
    public void Unknown_and_duplicate_nics_are_errors()
    {
        var notFound = Assert.Throws<SolsticeException>(() => Apply("{'update_nics': [{'mac': '00:00:00:00:00:01', 'vlan_id': 1}]}"));
        Assert.Equal(ErrorCode.NotFound, notFound.Code);
        Assert.Equal($"VM {Uuid} has no NIC with mac 00:00:00:00:00:01", notFound.Message);
        notFound = Assert.Throws<SolsticeException>(() => Apply("{'remove_nics': ['00:00:00:00:00:01']}"));
        Assert.Equal(ErrorCode.NotFound, notFound.Code);
        var conflict = Assert.Throws<SolsticeException>(() => Apply("{'add_nics': [{'nic_tag': 'a', 'mac': '90:B8:D0:C0:FF:EE'}]}"));
        Assert.Equal(ErrorCode.Conflict, conflict.Code);
        Assert.Equal($"Cannot add NIC 90:B8:D0:C0:FF:EE to VM {Uuid}: it already exists", conflict.Message);
    }

    [Fact]
    public void Filesystems_are_keyed_by_target()
    {
        var result = Apply("""
            {'add_filesystems': [{'type': 'lofs', 'source': '/logs', 'target': '/var/log/app', 'options': 'ro'}],
             'update_filesystems': [{'target': '/mnt', 'options': ['ro', 'nodevices'], 'source': '/data2'}]}
            """);
        Assert.Equal(
            "[{\"options\":[\"ro\",\"nodevices\"],\"source\":\"/data2\",\"target\":\"/mnt\",\"type\":\"lofs\"}," +
            "{\"options\":[\"ro\"],\"source\":\"/logs\",\"target\":\"/var/log/app\",\"type\":\"lofs\"}]",
            Compact(result.Vm["filesystems"]));
        Assert.True(result.RebootRequired);
        result = Apply("{'remove_filesystems': ['/mnt']}");
        Assert.Equal("[]", Compact(result.Vm["filesystems"]));
        Assert.Equal("filesystems.0 removed", Changes(result));
    }

    [Fact]
    public void Hvm_disks_and_pci_devices_are_keyed_by_path()
    {
        // VM.js: a disk names its path only with nocreate (or as a cdrom).
        var kvm = Create("{'brand': 'kvm', 'disks': [{'path': '/dev/zvol/rdsk/zones/x-disk0', 'nocreate': true, 'size': 10240, 'boot': true}]}");
        var result = Apply("""
            {'add_disks': [{'path': '/dev/zvol/rdsk/zones/x-disk1', 'nocreate': true, 'size': 2048}],
             'update_disks': [{'path': '/dev/zvol/rdsk/zones/x-disk0', 'boot': false}]}
            """, kvm);
        Assert.Equal("disks.0.boot changed; disks.1 added", Changes(result));
        Assert.True(result.RebootRequired);
        result = Apply("{'remove_disks': ['/dev/zvol/rdsk/zones/x-disk0']}", result.Vm);
        Assert.Equal("[{\"nocreate\":true,\"path\":\"/dev/zvol/rdsk/zones/x-disk1\",\"size\":2048}]", Compact(result.Vm["disks"]));

        var bhyve = Create("{'brand': 'bhyve'}");
        result = Apply("{'add_pci_devices': [{'path': '/devices/pci@0/x', 'pci_slot': '0:8:0'}]}", bhyve);
        Assert.Equal("pci_devices added", Changes(result));
        Assert.Throws<SolsticeException>(() => Apply("{'remove_pci_devices': ['/nope']}", result.Vm));
    }

    [Theory]
    [InlineData("{'state': 'stopped'}", "{\"bad_properties\":[\"state\"]}")]
    [InlineData("{'zonepath': '/x', 'uuid': '54f1cc77-68f1-42ab-acac-5c4f64f5d6e0'}", "{\"bad_properties\":[\"zonepath\",\"uuid\"]}")]
    [InlineData("{'kernel_version': '4.4.0'}", "{\"bad_properties\":[\"kernel_version\"]}")]
    [InlineData("{'cpu_shares': 70000}", "{\"bad_values\":[\"cpu_shares\"]}")]
    public void Invalid_updates_are_rejected(string update, string expected)
    {
        var ex = Assert.Throws<VmValidationException>(() => Apply(update));
        Assert.Equal(expected, Compact(ex.Result.ToDetailedJson()));
    }

    [Fact]
    public void Lx_updates_use_the_vm_brand()
    {
        var vm = Create("{'brand': 'lx', 'image_uuid': '" + ImageUuid + "', 'kernel_version': '3.13.0'}");
        var result = Apply("{'kernel_version': '4.4.0', 'docker': true}", vm);
        Assert.Equal("kernel_version changed; docker added", Changes(result));
        Assert.True(result.RebootRequired);
    }

    [Fact]
    public void The_input_objects_are_not_modified()
    {
        var vm = BaseVm();
        var update = J("{'ram': 4096, 'set_tags': {'x': 'y'}, 'update_nics': [{'mac': '90:b8:d0:00:00:01', 'primary': true}], 'add_nics': [{'nic_tag': 'a'}]}");
        string vmBefore = Compact(vm), updateBefore = Compact(update);
        var result = VmUpdater.Apply(vm, update, CountingBytes());
        Assert.Equal(vmBefore, Compact(vm));
        Assert.Equal(updateBefore, Compact(update));
        Assert.NotSame(vm, result.Vm);
    }

    [Fact]
    public void Result_keys_stay_sorted()
    {
        var result = Apply("{'zfs_snapshot_limit': 5, 'archive_on_delete': true}");
        var keys = result.Vm.Select(p => p.Key).ToList();
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), keys);
    }

    private static string Memory(JsonObject vm) => string.Join(" ",
        new[] { "max_physical_memory", "max_locked_memory", "max_swap", "tmpfs" }.Select(k => Compact(vm[k])));
}
