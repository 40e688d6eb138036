using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmDefaultsTests
{
    [Fact]
    public void Minimal_joyent_create_gets_every_default()
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "'}");
        Assert.Equal("""
            {
              "autoboot": true,
              "billing_id": "00000000-0000-0000-0000-000000000000",
              "brand": "joyent",
              "cpu_shares": 100,
              "create_timestamp": "2024-05-01T12:30:45.123Z",
              "customer_metadata": {},
              "datacenter_name": "us-west-1",
              "dns_domain": "local",
              "firewall_enabled": false,
              "hostname": "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0",
              "hvm": false,
              "image_uuid": "5a5d1c0a-5a4b-11e8-bd8d-6b4b3e2e5b8c",
              "init_restarts": 0,
              "internal_metadata": {},
              "last_modified": "2024-05-01T12:30:45.123Z",
              "limit_priv": "default",
              "max_locked_memory": 256,
              "max_lwps": 2000,
              "max_msg_ids": 4096,
              "max_physical_memory": 256,
              "max_sem_ids": 4096,
              "max_shm_ids": 4096,
              "max_shm_memory": 256,
              "max_swap": 256,
              "nics": [],
              "owner_uuid": "00000000-0000-0000-0000-000000000000",
              "platform_buildstamp": "20240501T000000Z",
              "quota": 10,
              "resolvers": [],
              "routes": {},
              "server_uuid": "44454c4c-3800-104b-8052-b2c04f4e4b31",
              "snapshots": [],
              "state": "provisioning",
              "tags": {},
              "tmpfs": 256,
              "type": "OS",
              "uuid": "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0",
              "v": 1,
              "zfs_filesystem": "zones/54f1cc77-68f1-42ab-acac-5c4f64f5d6e0",
              "zfs_io_priority": 100,
              "zfs_root_recsize": 131072,
              "zone_state": "configured",
              "zonename": "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0",
              "zonepath": "/zones/54f1cc77-68f1-42ab-acac-5c4f64f5d6e0",
              "zpool": "zones"
            }
            """, VmJson.Stringify(vm, indented: true));
    }

    // The conformance list of smartos-interfaces.md §1.8, one row per default.
    [Theory]
    [InlineData("autoboot", "true")]
    [InlineData("billing_id", "\"00000000-0000-0000-0000-000000000000\"")]
    [InlineData("brand", "\"joyent\"")]
    [InlineData("cpu_shares", "100")]
    [InlineData("customer_metadata", "{}")]
    [InlineData("dns_domain", "\"local\"")]
    [InlineData("firewall_enabled", "false")]
    [InlineData("hvm", "false")]
    [InlineData("init_restarts", "0")]
    [InlineData("internal_metadata", "{}")]
    [InlineData("limit_priv", "\"default\"")]
    [InlineData("max_locked_memory", "256")]
    [InlineData("max_swap", "256")]
    [InlineData("max_shm_memory", "256")]
    [InlineData("tmpfs", "256")]
    [InlineData("max_physical_memory", "256")]
    [InlineData("max_lwps", "2000")]
    [InlineData("max_msg_ids", "4096")]
    [InlineData("max_sem_ids", "4096")]
    [InlineData("max_shm_ids", "4096")]
    [InlineData("nics", "[]")]
    [InlineData("owner_uuid", "\"00000000-0000-0000-0000-000000000000\"")]
    [InlineData("quota", "10")]
    [InlineData("resolvers", "[]")]
    [InlineData("routes", "{}")]
    [InlineData("snapshots", "[]")]
    [InlineData("tags", "{}")]
    [InlineData("v", "1")]
    [InlineData("zfs_filesystem", "\"zones/54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\"")]
    [InlineData("zfs_io_priority", "100")]
    [InlineData("zfs_root_recsize", "131072")]
    [InlineData("zonename", "\"54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\"")]
    [InlineData("zonepath", "\"/zones/54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\"")]
    [InlineData("zpool", "\"zones\"")]
    [InlineData("hostname", "\"54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\"")]
    [InlineData("create_timestamp", "\"2024-05-01T12:30:45.123Z\"")]
    [InlineData("last_modified", "\"2024-05-01T12:30:45.123Z\"")]
    [InlineData("server_uuid", "\"44454c4c-3800-104b-8052-b2c04f4e4b31\"")]
    [InlineData("platform_buildstamp", "\"20240501T000000Z\"")]
    [InlineData("ram", null)]
    [InlineData("alias", null)]
    [InlineData("nowait", null)]
    [InlineData("do_not_inventory", null)]
    public void Conformance_default(string key, string? expected)
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "'}");
        Assert.Equal(expected, vm.TryGetPropertyValue(key, out var value) ? Compact(value) : null);
    }

    [Theory]
    // payload, then the memory keys: max_physical_memory, max_locked_memory, max_swap, max_shm_memory, tmpfs
    [InlineData("{'ram': 1024}", "1024 1024 1024 1024 1024")]
    [InlineData("{'max_physical_memory': 2048}", "2048 2048 2048 2048 2048")]
    [InlineData("{'ram': 512, 'max_physical_memory': 2048}", "2048 2048 2048 2048 2048")]
    [InlineData("{'ram': 128}", "128 128 256 128 128")]
    [InlineData("{'ram': 1024, 'max_locked_memory': 4096, 'max_swap': 512, 'tmpfs': 8192, 'max_shm_memory': 64}", "1024 1024 1024 64 1024")]
    [InlineData("{'ram': 1024, 'max_locked_memory': 512, 'max_swap': 4096, 'tmpfs': 0}", "1024 512 4096 1024 0")]
    [InlineData("{'ram': '768'}", "768 768 768 768 768")]
    public void Memory_is_derived_from_max_physical_memory(string payload, string expected)
    {
        var vm = Create(payload.Replace("{", "{'image_uuid': '" + ImageUuid + "', ", StringComparison.Ordinal));
        string actual = string.Join(" ", new[] { "max_physical_memory", "max_locked_memory", "max_swap", "max_shm_memory", "tmpfs" }
            .Select(k => Compact(vm[k])));
        Assert.Equal(expected, actual);
        Assert.False(vm.ContainsKey("ram"));
    }

    [Fact]
    public void Lx_create_keeps_brand_properties()
    {
        var vm = Create("{'brand': 'lx', 'image_uuid': '" + ImageUuid + "', 'kernel_version': '4.3.0', 'docker': true, 'alias': 'app'}");
        Assert.Equal("\"LX\"", Compact(vm["type"]));
        Assert.Equal("\"lx\"", Compact(vm["brand"]));
        Assert.Equal("\"4.3.0\"", Compact(vm["kernel_version"]));
        Assert.Equal("true", Compact(vm["docker"]));
        Assert.Equal("\"local\"", Compact(vm["dns_domain"]));
        Assert.Equal("256", Compact(vm["tmpfs"]));
        Assert.Equal("\"app\"", Compact(vm["alias"]));
    }

    [Fact]
    public void Joyent_minimal_is_an_OS_type_vm()
    {
        var vm = Create("{'brand': 'joyent-minimal', 'image_uuid': '" + ImageUuid + "'}");
        Assert.Equal("\"OS\"", Compact(vm["type"]));
    }

    [Theory]
    [InlineData("{'brand': 'kvm'}", "KVM", 256, 1280, 10)]
    [InlineData("{'brand': 'kvm', 'ram': 2048}", "KVM", 2048, 3072, 10)]
    [InlineData("{'brand': 'kvm', 'ram': 2048, 'max_physical_memory': 2100}", "KVM", 2048, 2304, 10)]
    [InlineData("{'brand': 'bhyve'}", "BHYVE", 256, 1536, 1)]
    public void Hvm_defaults(string payload, string type, long ram, long mpm, long quota)
    {
        var vm = Create(payload);
        Assert.Equal($"\"{type}\"", Compact(vm["type"]));
        Assert.Equal(ram.ToString(System.Globalization.CultureInfo.InvariantCulture), Compact(vm["ram"]));
        Assert.Equal(mpm.ToString(System.Globalization.CultureInfo.InvariantCulture), Compact(vm["max_physical_memory"]));
        Assert.Equal(quota.ToString(System.Globalization.CultureInfo.InvariantCulture), Compact(vm["quota"]));
        Assert.Equal("1", Compact(vm["vcpus"]));
        Assert.Equal("[]", Compact(vm["disks"]));
        Assert.Equal("true", Compact(vm["hvm"]));
        Assert.Equal("\"default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session\"", Compact(vm["limit_priv"]));
        Assert.False(vm.ContainsKey("dns_domain"));
        Assert.False(vm.ContainsKey("tmpfs"));
        Assert.False(vm.ContainsKey("image_uuid"));
    }

    [Fact]
    public void Given_identity_and_pool_shape_paths()
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "', 'uuid': '930896af-bf8c-48d4-885c-6573a94b1853', 'zonename': 'web01', 'zpool': 'data'}");
        Assert.Equal("\"930896af-bf8c-48d4-885c-6573a94b1853\"", Compact(vm["uuid"]));
        Assert.Equal("\"web01\"", Compact(vm["zonename"]));
        Assert.Equal("\"web01\"", Compact(vm["hostname"]));
        Assert.Equal("\"/data/web01\"", Compact(vm["zonepath"]));
        Assert.Equal("\"data/web01\"", Compact(vm["zfs_filesystem"]));
    }

    [Fact]
    public void Zones_mountpoint_comes_from_the_node()
    {
        var facts = Facts() with { ZonesMountpoint = "/srv/zones" };
        var vm = VmDefaults.CreateVm(J("{'image_uuid': '" + ImageUuid + "'}"), facts);
        Assert.Equal("\"/srv/zones/54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\"", Compact(vm["zonepath"]));
    }

    [Fact]
    public void Values_are_coerced_to_their_types()
    {
        var vm = Create("""
            {'image_uuid': '@img', 'autoboot': 'false', 'cpu_cap': '150', 'resolvers': '8.8.8.8,8.8.4.4',
             'limit_priv': ['default', 'dtrace_user'], 'internal_metadata_namespaces': 'docker,sdc',
             'do_not_inventory': true, 'nowait': true, 'hostname': 'web', 'tags': {'n': 1, 'b': false}}
            """.Replace("@img", ImageUuid, StringComparison.Ordinal));
        Assert.Equal("false", Compact(vm["autoboot"]));
        Assert.Equal("150", Compact(vm["cpu_cap"]));
        Assert.Equal("[\"8.8.8.8\",\"8.8.4.4\"]", Compact(vm["resolvers"]));
        Assert.Equal("\"default,dtrace_user\"", Compact(vm["limit_priv"]));
        Assert.Equal("[\"docker\",\"sdc\"]", Compact(vm["internal_metadata_namespaces"]));
        Assert.Equal("true", Compact(vm["do_not_inventory"]));
        Assert.Equal("\"web\"", Compact(vm["hostname"]));
        Assert.Equal("{\"n\":1,\"b\":false}", Compact(vm["tags"]));
        Assert.False(vm.ContainsKey("nowait"));
    }

    [Fact]
    public void Nics_get_macs_interfaces_primary_and_address_forms()
    {
        var vm = Create("""
            {'image_uuid': '@img', 'nics': [
              {'nic_tag': 'external', 'ips': ['10.1.1.5/24', '2001:db8::5/64'], 'gateways': ['10.1.1.1']},
              {'nic_tag': 'internal', 'mac': '0:A:b:C:d:E', 'ip': '192.168.0.5', 'netmask': '255.255.254.0', 'gateway': '192.168.0.1', 'primary': true},
              {'nic_tag': 'admin', 'ips': ['dhcp'], 'interface': 'net0', 'vlan_id': '12'},
              {'nic_tag': 'storage', 'ips': ['addrconf']}
            ]}
            """.Replace("@img", ImageUuid, StringComparison.Ordinal));
        Assert.Equal("""
            [
              {
                "gateway": "10.1.1.1",
                "gateways": [
                  "10.1.1.1"
                ],
                "interface": "net1",
                "ip": "10.1.1.5",
                "ips": [
                  "10.1.1.5/24",
                  "2001:db8::5/64"
                ],
                "mac": "12:01:02:03:04:00",
                "netmask": "255.255.255.0",
                "nic_tag": "external"
              },
              {
                "gateway": "192.168.0.1",
                "gateways": [
                  "192.168.0.1"
                ],
                "interface": "net2",
                "ip": "192.168.0.5",
                "ips": [
                  "192.168.0.5/23"
                ],
                "mac": "00:0a:0b:0c:0d:0e",
                "netmask": "255.255.254.0",
                "nic_tag": "internal",
                "primary": true
              },
              {
                "interface": "net0",
                "ip": "dhcp",
                "ips": [
                  "dhcp"
                ],
                "mac": "12:01:02:03:04:01",
                "nic_tag": "admin",
                "vlan_id": 12
              },
              {
                "interface": "net3",
                "ips": [
                  "addrconf"
                ],
                "mac": "12:01:02:03:04:02",
                "nic_tag": "storage"
              }
            ]
            """, VmJson.Stringify(vm["nics"], indented: true));
    }

    [Fact]
    public void First_nic_becomes_primary_when_none_is()
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "', 'nics': [{'nic_tag': 'a'}, {'nic_tag': 'b'}]}");
        Assert.Equal("true", Compact(vm["nics"]![0]!["primary"]));
        Assert.Null(vm["nics"]![1]!["primary"]);
    }

    [Fact]
    public void Generated_macs_are_locally_administered_unicast()
    {
        var facts = Facts() with { RandomBytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes };
        for (int i = 0; i < 200; i++)
        {
            var vm = VmDefaults.CreateVm(J("{'image_uuid': '" + ImageUuid + "', 'nics': [{'nic_tag': 'a'}, {'nic_tag': 'b'}]}"), facts);
            foreach (var nic in vm["nics"]!.AsArray())
            {
                string mac = VmJson.AsString(nic!["mac"])!;
                Assert.Matches("^[1-9a-f]2(:[0-9a-f]{2}){5}$", mac);
            }
            Assert.NotEqual(Compact(vm["nics"]![0]!["mac"]), Compact(vm["nics"]![1]!["mac"]));
        }
    }

    [Fact]
    public void Generated_uuid_when_absent()
    {
        var vm = VmDefaults.CreateVm(J("{'image_uuid': '" + ImageUuid + "'}"), Facts() with { NewUuid = Guid.NewGuid });
        string uuid = VmJson.AsString(vm["uuid"])!;
        Assert.True(VmValueRules.IsUuid(uuid));
        Assert.NotEqual(Uuid, uuid);
        Assert.Equal(uuid, VmJson.AsString(vm["zonename"]));
    }

    [Fact]
    public void Hvm_nics_inherit_nic_driver()
    {
        var vm = Create("{'brand': 'kvm', 'nic_driver': 'virtio', 'nics': [{'nic_tag': 'a'}, {'nic_tag': 'b', 'model': 'e1000'}]}");
        Assert.Equal("\"virtio\"", Compact(vm["nics"]![0]!["model"]));
        Assert.Equal("\"e1000\"", Compact(vm["nics"]![1]!["model"]));
    }

    [Fact]
    public void Invalid_payload_throws()
    {
        var ex = Assert.Throws<VmValidationException>(() => Create("{'ram': -1}"));
        Assert.Equal("{\"bad_values\":[\"ram\"],\"missing_properties\":[\"image_uuid\"]}", Compact(ex.Result.ToDetailedJson()));
    }

    [Fact]
    public void Payload_is_not_modified()
    {
        var payload = J("{'image_uuid': '" + ImageUuid + "', 'nics': [{'nic_tag': 'a'}], 'ram': '512'}");
        string before = Compact(payload);
        VmDefaults.CreateVm(payload, Facts());
        Assert.Equal(before, Compact(payload));
    }

    [Fact]
    public void Filesystems_are_kept_with_list_options()
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "', 'filesystems': [{'type': 'lofs', 'source': '/data', 'target': '/mnt', 'options': 'ro,nodevices'}]}");
        Assert.Equal("[{\"type\":\"lofs\",\"source\":\"/data\",\"target\":\"/mnt\",\"options\":[\"ro\",\"nodevices\"]}]", Compact(vm["filesystems"]));
    }

    [Fact]
    public void Nulls_in_create_payloads_are_ignored()
    {
        var vm = Create("{'image_uuid': '" + ImageUuid + "', 'alias': null, 'cpu_cap': null}");
        Assert.False(vm.ContainsKey("alias"));
        Assert.False(vm.ContainsKey("cpu_cap"));
        Assert.IsType<JsonObject>(vm);
    }
}
