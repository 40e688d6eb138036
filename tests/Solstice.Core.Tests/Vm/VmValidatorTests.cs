using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmValidatorTests
{
    private static VmValidationResult Validate(string payload, VmAction action, string? brand = null) =>
        VmValidator.Validate(J(payload.Replace("@img", ImageUuid, StringComparison.Ordinal)), action, brand);

    [Theory]
    [InlineData("{'image_uuid': '@img'}", null)]
    [InlineData("{'brand': 'joyent-minimal', 'image_uuid': '@img'}", null)]
    [InlineData("{'brand': 'lx', 'image_uuid': '@img', 'kernel_version': '4.3.0', 'docker': true}", null)]
    [InlineData("{'brand': 'kvm', 'ram': 1024, 'vcpus': 2, 'disks': [{'size': 10240}]}", null)]
    [InlineData("{'brand': 'bhyve', 'flexible_disk_size': 20480}", null)]
    [InlineData("{'image_uuid': '@img', 'kernel_version': '3.13.0'}", "lx")] // payload without brand: the argument supplies it
    [InlineData("{'image_uuid': '@img', 'ram': '512', 'autoboot': 'false', 'resolvers': '8.8.8.8,2001:4860:4860::8888'}", null)]
    [InlineData("{'image_uuid': '@img', 'alias': null}", null)]
    public void Valid_create_payloads(string payload, string? brand)
    {
        var result = Validate(payload, VmAction.Create, brand);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("{}", Compact(result.ToDetailedJson()));
    }

    [Fact]
    public void A_maximal_joyent_payload_is_valid()
    {
        const string payload = """
            {'uuid': '54f1cc77-68f1-42ab-acac-5c4f64f5d6e0', 'alias': 'web 01', 'brand': 'joyent', 'image_uuid': '@img',
             'ram': 1024, 'max_physical_memory': 1024, 'max_locked_memory': 1024, 'max_swap': 2048, 'max_lwps': 4000,
             'max_shm_memory': 512, 'max_msg_ids': 100, 'max_sem_ids': 100, 'max_shm_ids': 100,
             'cpu_cap': 200, 'cpu_shares': 65535, 'quota': 20, 'zfs_io_priority': 50, 'zpool': 'zones',
             'zonename': 'web01', 'autoboot': false, 'hostname': 'web01', 'dns_domain': 'example.com',
             'resolvers': ['8.8.8.8'], 'maintain_resolvers': true,
             'routes': {'10.0.0.0/8': '10.1.1.1', '172.16.0.0/12': 'nics[1]', '192.168.1.1': 'macs[90:b8:d0:c0:ff:ee]'},
             'customer_metadata': {'user-script': '#!/bin/sh', 'n': 1, 'b': true}, 'internal_metadata': {'root_pw': 'x'},
             'internal_metadata_namespaces': ['docker'], 'tags': {'role': 'web'},
             'owner_uuid': '930896af-bf8c-48d4-885c-6573a94b1853', 'billing_id': '00000000-0000-0000-0000-000000000000',
             'package_name': 'g4-highcpu-1G', 'package_version': '1.0.0', 'firewall_enabled': true,
             'limit_priv': 'default,dtrace_user,-file_link_any', 'fs_allowed': 'ufs,pcfs', 'tmpfs': 512,
             'delegate_dataset': true,
             'filesystems': [{'type': 'lofs', 'source': '/data', 'target': '/mnt', 'options': ['ro', 'nodevices']}],
             'zfs_root_compression': 'lz4', 'zfs_root_recsize': 8192, 'zfs_snapshot_limit': 10,
             'archive_on_delete': true, 'indestructible_zoneroot': true, 'indestructible_delegated': false,
             'do_not_inventory': true, 'mdata_exec_timeout': 600, 'nowait': true, 'init_name': '/sbin/init',
             'restart_init': false, 'zlog_max_size': 1000000,
             'nics': [
               {'nic_tag': 'external', 'mac': '90:b8:d0:c0:ff:ee', 'ips': ['10.1.1.5/24', '2001:db8::5/64', 'addrconf'],
                'gateways': ['10.1.1.1'], 'vlan_id': 4095, 'mtu': 9000, 'primary': true, 'interface': 'net0',
                'allow_ip_spoofing': true, 'allowed_ips': ['10.1.1.6', '10.2.0.0/16'], 'allowed_dhcp_cids': ['0x0102'],
                'blocked_outgoing_ports': [25, '587'], 'network_uuid': '930896af-bf8c-48d4-885c-6573a94b1853',
                'vrrp_vrid': 255, 'vrrp_primary_ip': '10.1.1.7'},
               {'nic_tag': 'sdc_overlay/4711', 'ip': '192.168.0.5', 'netmask': '255.255.255.0', 'gateway': '192.168.0.1',
                'mtu': 576, 'vlan_id': 0},
               {'nic_tag': 'admin', 'ips': ['dhcp']}
             ]}
            """;
        var result = Validate(payload, VmAction.Create);
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    // missing_properties
    [InlineData("{}", "{'missing_properties':['image_uuid']}")]
    [InlineData("{'brand': 'lx'}", "{'missing_properties':['image_uuid','kernel_version']}")]
    [InlineData("{'brand': 'lx', 'image_uuid': '@img'}", "{'missing_properties':['kernel_version']}")]
    [InlineData("{'image_uuid': null}", "{'missing_properties':['image_uuid']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'ips': ['dhcp']}]}", "{'missing_properties':['nics.0.nic_tag']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'ip': '10.0.0.5'}]}", "{'missing_properties':['nics.0.netmask']}")]
    [InlineData("{'image_uuid': '@img', 'filesystems': [{'type': 'lofs'}]}", "{'missing_properties':['filesystems.0.source','filesystems.0.target']}")]
    // bad_brand
    [InlineData("{'brand': 'sngl', 'image_uuid': '@img'}", "{'bad_brand':'sngl'}")]
    [InlineData("{'brand': 5}", "{'bad_brand':'5'}")]
    [InlineData("{'brand': 'sngl', 'ram': -1, 'bogus': 1}", "{'bad_brand':'sngl','bad_properties':['bogus'],'bad_values':['ram']}")]
    // bad_properties
    [InlineData("{'image_uuid': '@img', 'bogus': 1}", "{'bad_properties':['bogus']}")]
    [InlineData("{'image_uuid': '@img', 'state': 'running'}", "{'bad_properties':['state']}")]
    [InlineData("{'image_uuid': '@img', 'snapshots': []}", "{'bad_properties':['snapshots']}")]
    [InlineData("{'image_uuid': '@img', 'zonepath': '/zones/x', 'zfs_filesystem': 'zones/x', 'hvm': false, 'type': 'OS', 'v': 1}", "{'bad_properties':['zonepath','zfs_filesystem','hvm','type','v']}")]
    [InlineData("{'image_uuid': '@img', 'create_timestamp': '2024-01-01T00:00:00.000Z', 'server_uuid': '@img'}", "{'bad_properties':['create_timestamp','server_uuid']}")]
    [InlineData("{'image_uuid': '@img', 'kernel_version': '4.3.0'}", "{'bad_properties':['kernel_version']}")]
    [InlineData("{'image_uuid': '@img', 'docker': true}", "{'bad_properties':['docker']}")]
    [InlineData("{'image_uuid': '@img', 'vcpus': 2, 'disks': []}", "{'bad_properties':['vcpus','disks']}")]
    [InlineData("{'brand': 'kvm', 'tmpfs': 10, 'dns_domain': 'x.com'}", "{'bad_properties':['tmpfs','dns_domain']}")]
    [InlineData("{'brand': 'bhyve', 'package_name': 'p'}", "{'bad_properties':['package_name']}")]
    [InlineData("{'image_uuid': '@img', 'set_tags': {'a': 'b'}}", "{'bad_properties':['set_tags']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'model': 'virtio', 'bogus': 1}]}", "{'bad_properties':['nics.0.model','nics.0.bogus']}")]
    [InlineData("{'image_uuid': '@img', 'filesystems': [{'type': 'lofs', 'source': '/a', 'target': '/b', 'mode': 1}]}", "{'bad_properties':['filesystems.0.mode']}")]
    // bad_values
    [InlineData("{'image_uuid': 'nope'}", "{'bad_values':['image_uuid']}")]
    [InlineData("{'image_uuid': '@img', 'uuid': '54f1cc77'}", "{'bad_values':['uuid']}")]
    [InlineData("{'image_uuid': '@img', 'ram': -1}", "{'bad_values':['ram']}")]
    [InlineData("{'image_uuid': '@img', 'ram': 1.5}", "{'bad_values':['ram']}")]
    [InlineData("{'image_uuid': '@img', 'ram': 'lots'}", "{'bad_values':['ram']}")]
    [InlineData("{'image_uuid': '@img', 'cpu_shares': 65536}", "{'bad_values':['cpu_shares']}")]
    [InlineData("{'image_uuid': '@img', 'max_swap': 255}", "{'bad_values':['max_swap']}")]
    [InlineData("{'image_uuid': '@img', 'max_lwps': -5, 'quota': '10G', 'cpu_cap': true}", "{'bad_values':['max_lwps','quota','cpu_cap']}")]
    [InlineData("{'image_uuid': '@img', 'zfs_root_recsize': 1000}", "{'bad_values':['zfs_root_recsize']}")]
    [InlineData("{'image_uuid': '@img', 'zfs_root_recsize': 262144}", "{'bad_values':['zfs_root_recsize']}")]
    [InlineData("{'image_uuid': '@img', 'zfs_root_compression': 'zstd'}", "{'bad_values':['zfs_root_compression']}")]
    [InlineData("{'image_uuid': '@img', 'autoboot': 'yes'}", "{'bad_values':['autoboot']}")]
    [InlineData("{'image_uuid': '@img', 'alias': 'two\\nlines'}", "{'bad_values':['alias']}")]
    [InlineData("{'image_uuid': '@img', 'alias': 7}", "{'bad_values':['alias']}")]
    [InlineData("{'image_uuid': '@img', 'hostname': 'under_score'}", "{'bad_values':['hostname']}")]
    [InlineData("{'image_uuid': '@img', 'zonename': 'global'}", "{'bad_values':['zonename']}")]
    [InlineData("{'image_uuid': '@img', 'dns_domain': '-bad-.com'}", "{'bad_values':['dns_domain']}")]
    [InlineData("{'image_uuid': '@img', 'owner_uuid': 'me', 'billing_id': ''}", "{'bad_values':['owner_uuid']}")]
    [InlineData("{'image_uuid': '@img', 'zpool': '1zones'}", "{'bad_values':['zpool']}")]
    [InlineData("{'image_uuid': '@img', 'resolvers': ['8.8.8.8', 'dns.google']}", "{'bad_values':['resolvers.1']}")]
    [InlineData("{'image_uuid': '@img', 'resolvers': {'a': 1}}", "{'bad_values':['resolvers']}")]
    [InlineData("{'image_uuid': '@img', 'limit_priv': 'default,DTRACE'}", "{'bad_values':['limit_priv.1']}")]
    [InlineData("{'image_uuid': '@img', 'tags': {'a': {'nested': 1}, 'b': [1], 'c': null}}", "{'bad_values':['tags.a','tags.b','tags.c']}")]
    [InlineData("{'image_uuid': '@img', 'customer_metadata': 'k=v'}", "{'bad_values':['customer_metadata']}")]
    [InlineData("{'image_uuid': '@img', 'routes': {'10.0.0.0/8': 'gw', 'default': '10.0.0.1'}}", "{'bad_values':['routes.10.0.0.0/8','routes.default']}")]
    [InlineData("{'image_uuid': '@img', 'internal_metadata_namespaces': ['a:b']}", "{'bad_values':['internal_metadata_namespaces.0']}")]
    [InlineData("{'image_uuid': '@img', 'init_name': 'init'}", "{'bad_values':['init_name']}")]
    [InlineData("{'brand': 'lx', 'image_uuid': '@img', 'kernel_version': 'latest'}", "{'bad_values':['kernel_version']}")]
    [InlineData("{'image_uuid': '@img', 'nics': {'nic_tag': 'a'}}", "{'bad_values':['nics']}")]
    [InlineData("{'image_uuid': '@img', 'nics': ['net0']}", "{'bad_values':['nics.0']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'mac': '90:b8:d0:c0:ff'}]}", "{'bad_values':['nics.0.mac']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'vlan_id': 4096}]}", "{'bad_values':['nics.0.vlan_id']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'mtu': 575}, {'nic_tag': 'a', 'mtu': 9001}]}", "{'bad_values':['nics.0.mtu','nics.1.mtu']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'ips': ['10.0.0.5', '10.0.0.6/33', 'dhcp', 'fe80::1/10']}]}", "{'bad_values':['nics.0.ips.0','nics.0.ips.1']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'ips': ['1.0.0.1/8','1.0.0.2/8','1.0.0.3/8','1.0.0.4/8','1.0.0.5/8','1.0.0.6/8','1.0.0.7/8','1.0.0.8/8','1.0.0.9/8','1.0.0.10/8','1.0.0.11/8','1.0.0.12/8','1.0.0.13/8','1.0.0.14/8','1.0.0.15/8','1.0.0.16/8','1.0.0.17/8','1.0.0.18/8','1.0.0.19/8','1.0.0.20/8','1.0.0.21/8']}]}", "{'bad_values':['nics.0.ips']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'ip': '10.0.0.300', 'netmask': '255.0.255.0', 'gateway': 'gw'}]}", "{'bad_values':['nics.0.ip','nics.0.netmask','nics.0.gateway']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'gateways': ['2001:db8::1'], 'allowed_ips': ['x'], 'allowed_dhcp_cids': ['0x1']}]}", "{'bad_values':['nics.0.gateways.0','nics.0.allowed_ips.0','nics.0.allowed_dhcp_cids.0']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'blocked_outgoing_ports': [25, 65536, 'smtp']}]}", "{'bad_values':['nics.0.blocked_outgoing_ports.1','nics.0.blocked_outgoing_ports.2']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'primary': false}]}", "{'bad_values':['nics.0.primary']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'primary': true}, {'nic_tag': 'b', 'primary': true}]}", "{'bad_values':['nics.1.primary']}")]
    [InlineData("{'image_uuid': '@img', 'nics': [{'nic_tag': 'bad tag', 'interface': 'eth', 'vrrp_vrid': 256, 'vrrp_primary_ip': 'x', 'network_uuid': 'x'}]}", "{'bad_values':['nics.0.nic_tag','nics.0.interface','nics.0.vrrp_vrid','nics.0.vrrp_primary_ip','nics.0.network_uuid']}")]
    [InlineData("{'image_uuid': '@img', 'filesystems': [{'type': '', 'source': '/a', 'target': 'mnt'}]}", "{'bad_values':['filesystems.0.type','filesystems.0.target']}")]
    public void Invalid_create_payloads(string payload, string expected)
    {
        var result = Validate(payload, VmAction.Create);
        Assert.False(result.IsValid);
        Assert.Equal(expected.Replace('\'', '"'), Compact(result.ToDetailedJson()));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var result = Validate("""
            {'brand': 'lx', 'ram': 'x', 'bogus': true, 'zonepath': '/z', 'nics': [{'mac': 'x'}], 'cpu_shares': 70000}
            """, VmAction.Create);
        Assert.Equal(
            "{'bad_properties':['bogus','zonepath'],'bad_values':['ram','nics.0.mac','cpu_shares']," +
            "'missing_properties':['nics.0.nic_tag','image_uuid','kernel_version']}",
            Compact(result.ToDetailedJson()).Replace('"', '\''));
        Assert.Equal(
            "Invalid 'create' payload for lx brand VMs: bad properties: bogus (unknown property), zonepath (read-only); " +
            "bad values: ram (must be an integer from 1 to 8796093022207), nics.0.mac (must be a unicast MAC address (six octets, the first one even, not all zeros)), " +
            "cpu_shares (must be an integer from 1 to 65535); " +
            "missing properties: nics.0.nic_tag (required), image_uuid (required), kernel_version (required)",
            result.Message);
        Assert.Equal(["ram", "nics.0.mac", "cpu_shares"], result.BadValues);
    }

    [Fact]
    public void Messages()
    {
        Assert.Equal("VALID 'create' payload for lx brand VMs.", Validate("{'image_uuid': '@img', 'kernel_version': '3.13.0'}", VmAction.Create, "lx").Message);
        Assert.Equal("VALID 'create' payload for joyent brand VMs.", Validate("{'image_uuid': '@img'}", VmAction.Create).Message);
        Assert.Equal("VALID 'update' payload for lx brand VMs.", Validate("{'alias': 'x'}", VmAction.Update, "lx").Message);
        Assert.Equal("Invalid 'create' payload for sngl brand VMs: bad brand: \"sngl\"",
            Validate("{'brand': 'sngl'}", VmAction.Create).Message);
        Assert.Equal("Invalid 'update' payload for joyent brand VMs: bad properties: tags (cannot be updated directly, use set_tags and remove_tags)",
            Validate("{'tags': {}}", VmAction.Update, "joyent").Message);
    }

    [Fact]
    public void ThrowIfInvalid_carries_the_result()
    {
        var ex = Assert.Throws<VmValidationException>(() => VmValidator.ThrowIfInvalid(J("{'ram': -1}"), VmAction.Create));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal(["ram"], ex.Result.BadValues);
        Assert.Equal(["image_uuid"], ex.Result.MissingProperties);
        Assert.Equal(ex.Result.FailureMessage, ex.Message);
    }

    [Theory]
    [InlineData("{'alias': 'web', 'hostname': 'web', 'autoboot': 'true', 'cpu_cap': 0, 'quota': '20'}", "joyent")]
    [InlineData("{'ram': 2048, 'max_physical_memory': 2048, 'max_swap': 4096, 'max_locked_memory': 1024, 'max_lwps': 3000}", "joyent")]
    [InlineData("{'alias': null, 'cpu_cap': null, 'zfs_snapshot_limit': null}", "joyent")]
    [InlineData("{'tmpfs': 0, 'resolvers': [], 'firewall_enabled': true, 'owner_uuid': '@img'}", "joyent")]
    [InlineData("{'set_tags': {'role': 'db', 'n': 2}, 'remove_tags': ['old'], 'set_customer_metadata': {'k': 'v'}, 'remove_customer_metadata': 'a,b'}", "joyent")]
    [InlineData("{'set_internal_metadata': {'root_pw': 'x'}, 'remove_internal_metadata': [], 'set_routes': {'10.0.0.0/8': 'nics[0]'}, 'remove_routes': ['172.16.0.0/12']}", "joyent")]
    [InlineData("{'add_nics': [{'nic_tag': 'admin', 'ips': ['dhcp']}], 'update_nics': [{'mac': '0:1:2:3:4:5', 'vlan_id': 5, 'primary': true, 'mtu': null}], 'remove_nics': ['90:b8:d0:c0:ff:ee']}", "joyent")]
    [InlineData("{'add_filesystems': [{'type': 'lofs', 'source': '/a', 'target': '/b'}], 'update_filesystems': [{'target': '/b', 'options': ['ro']}], 'remove_filesystems': ['/c']}", "joyent")]
    [InlineData("{'kernel_version': '4.4.0', 'docker': true, 'init_name': '/sbin/init', 'restart_init': false}", "lx")]
    [InlineData("{'ram': 2048, 'vcpus': 4, 'add_disks': [{'size': 1024}], 'remove_disks': ['/dev/zvol/rdsk/zones/x-disk1']}", "kvm")]
    public void Valid_update_payloads(string payload, string brand)
    {
        var result = Validate(payload, VmAction.Update, brand);
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("{'uuid': '@img', 'brand': 'lx', 'zonename': 'z', 'zpool': 'z', 'image_uuid': '@img'}", "joyent", "{'bad_properties':['uuid','brand','zonename','zpool','image_uuid']}")]
    [InlineData("{'state': 'running', 'zone_state': 'running', 'last_modified': 'x', 'snapshots': []}", "joyent", "{'bad_properties':['state','zone_state','last_modified','snapshots']}")]
    [InlineData("{'tags': {}, 'customer_metadata': {}, 'routes': {}, 'nics': [], 'filesystems': []}", "joyent", "{'bad_properties':['tags','customer_metadata','routes','nics','filesystems']}")]
    [InlineData("{'nowait': true, 'mdata_exec_timeout': 10, 'delegate_dataset': true}", "joyent", "{'bad_properties':['nowait','mdata_exec_timeout','delegate_dataset']}")]
    [InlineData("{'kernel_version': '4.4.0', 'docker': true}", "joyent", "{'bad_properties':['kernel_version','docker']}")]
    [InlineData("{'add_disks': [], 'set_nics': {}, 'add_tags': {}}", "joyent", "{'bad_properties':['add_disks','set_nics','add_tags']}")]
    [InlineData("{'add_filesystems': []}", "bhyve", "{'bad_properties':['add_filesystems']}")]
    [InlineData("{'set_tags': ['a'], 'remove_tags': 5, 'set_routes': {'x': '10.0.0.1'}}", "joyent", "{'bad_values':['set_tags','remove_tags','set_routes.x']}")]
    [InlineData("{'add_nics': [{}], 'update_nics': [{'vlan_id': 5}]}", "joyent", "{'missing_properties':['add_nics.0.nic_tag','update_nics.0.mac']}")]
    [InlineData("{'update_nics': [{'mac': '0:1:2:3:4:5', 'interface': 'net5', 'model': 'virtio'}]}", "joyent", "{'bad_properties':['update_nics.0.interface','update_nics.0.model']}")]
    [InlineData("{'update_nics': [{'mac': 'x', 'vlan_id': -1, 'primary': false}]}", "joyent", "{'bad_values':['update_nics.0.mac','update_nics.0.vlan_id','update_nics.0.primary']}")]
    [InlineData("{'remove_nics': ['nope', 7], 'remove_filesystems': ['rel']}", "joyent", "{'bad_values':['remove_nics.0','remove_nics.1','remove_filesystems.0']}")]
    [InlineData("{'update_filesystems': [{'target': '/b', 'source': 5}]}", "joyent", "{'bad_values':['update_filesystems.0.source']}")]
    [InlineData("{'max_swap': 100, 'cpu_shares': -1, 'alias': ''}", "joyent", "{'bad_values':['max_swap','cpu_shares']}")] // alias '' unsets (VM.js)
    [InlineData("{'alias': 'x'}", "sngl", "{'bad_brand':'sngl'}")]
    public void Invalid_update_payloads(string payload, string brand, string expected)
    {
        var result = Validate(payload, VmAction.Update, brand);
        Assert.Equal(expected.Replace('\'', '"'), Compact(result.ToDetailedJson()));
    }

    [Fact]
    public void Key_value_arguments_coerce_integers_and_booleans_only()
    {
        var payload = VmPayload.FromKeyValues(["ram=512", "autoboot=false", "alias=null", "cpu_cap=lots", "resolvers=8.8.8.8,1.1.1.1", "tags=a=b"]);
        Assert.Equal("{\"ram\":512,\"autoboot\":false,\"alias\":\"null\",\"cpu_cap\":\"lots\",\"resolvers\":\"8.8.8.8,1.1.1.1\",\"tags\":\"a=b\"}",
            Compact(payload));
        Assert.Equal(["cpu_cap"], VmValidator.Validate(payload, VmAction.Update, "joyent").BadValues);
        var ex = Assert.Throws<SolsticeException>(() => VmPayload.FromKeyValues(["novalue"]));
        Assert.Equal("Invalid key=value argument: \"novalue\"", ex.Message);
    }
}
