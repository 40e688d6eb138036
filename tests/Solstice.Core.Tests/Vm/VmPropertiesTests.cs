using Solstice.Core.Vm;

namespace Solstice.Core.Tests.Vm;

public class VmPropertiesTests
{
    [Fact]
    public void List_fields_match_vmadm_LIST_FIELDS()
    {
        string fields = string.Join(" ", VmProperties.ListFields.Select(p => $"{p.Name}({p.Header},{p.Width})"));
        Assert.Equal(
            "alias(ALIAS,10) autoboot(AUTOBOOT,8) billing_id(BILLING_ID,36) boot_timestamp(BOOT_TIMESTAMP,24) " +
            "brand(BRAND,14) cpu_cap(CPU_CAP,7) cpu_shares(CPU_SHARE,9) cpu_type(CPU_TYPE,8) " +
            "create_timestamp(CREATE_TIMESTAMP,24) dns_domain(DOMAIN,32) do_not_inventory(DNI,5) docker(DOCKER,6) " +
            "exit_status(EXIT,4) exit_timestamp(EXIT_TIMESTAMP,24) firewall_enabled(FIREWALL_ENABLED,16) " +
            "flexible_disk_size(FLEX_DISK_SIZE,14) free_space(FREE_SPACE,14) hostname(HOSTNAME,32) hvm(HVM,5) " +
            "image_uuid(IMAGE_UUID,36) indestructible_delegated(INDESTR_DATA,12) indestructible_zoneroot(INDESTR_ROOT,12) " +
            "max_locked_memory(MAX_LOCKED,10) max_lwps(MAX_LWP,7) max_physical_memory(MAX_PHYS,8) max_swap(MAX_SWAP,8) " +
            "owner_uuid(OWNER_UUID,36) package_name(PACKAGE_NAME,32) package_version(PACKAGE_VER,11) pid(PID,6) " +
            "qemu_extra_opts(QEMU_EXTRA_OPTS,15) quota(QUOTA,5) ram(RAM,7) state(STATE,16) tmpfs(TMPFS,5) type(TYPE,4) " +
            "uuid(UUID,36) vcpus(VCPUS,5) zfs_io_priority(IO_PRIORITY,11) zone_state(ZONE_STATE,10) zoneid(ZONEID,6) " +
            "zonename(ZONENAME,12) zonepath(ZONEPATH,40) zpool(ZPOOL,12)",
            fields);
    }

    [Theory]
    [InlineData("uuid", "Uuid", "All", "None", false)]
    [InlineData("alias", "String", "All", "All", false)]
    [InlineData("brand", "String", "All", "None", false)]
    [InlineData("image_uuid", "Uuid", "All", "None", false)]
    [InlineData("ram", "Integer", "All", "All", false)]
    [InlineData("max_physical_memory", "Integer", "All", "All", false)]
    [InlineData("max_locked_memory", "Integer", "All", "All", false)]
    [InlineData("max_swap", "Integer", "All", "All", false)]
    [InlineData("max_lwps", "Integer", "All", "All", false)]
    [InlineData("max_shm_memory", "Integer", "All", "All", false)]
    [InlineData("max_msg_ids", "Integer", "All", "All", false)]
    [InlineData("max_sem_ids", "Integer", "All", "All", false)]
    [InlineData("max_shm_ids", "Integer", "All", "All", false)]
    [InlineData("cpu_cap", "Integer", "All", "All", false)]
    [InlineData("cpu_shares", "Integer", "All", "All", false)]
    [InlineData("quota", "Integer", "All", "All", false)]
    [InlineData("zfs_io_priority", "Integer", "All", "All", false)]
    [InlineData("zpool", "Zpool", "All", "None", false)]
    [InlineData("zonename", "String", "All", "None", false)]
    [InlineData("autoboot", "Boolean", "All", "All", false)]
    [InlineData("hostname", "String", "All", "All", false)]
    [InlineData("dns_domain", "String", "Os", "Os", false)]
    [InlineData("resolvers", "List", "All", "All", false)]
    [InlineData("maintain_resolvers", "Boolean", "Os", "Os", false)]
    [InlineData("routes", "FlatObject", "All", "All", false)]
    [InlineData("customer_metadata", "FlatObject", "All", "All", false)]
    [InlineData("internal_metadata", "FlatObject", "All", "All", false)]
    [InlineData("internal_metadata_namespaces", "List", "All", "All", false)]
    [InlineData("tags", "FlatObject", "All", "All", false)]
    [InlineData("owner_uuid", "Uuid", "All", "All", false)]
    [InlineData("billing_id", "String", "All", "All", false)] // VM.js: free-form string
    [InlineData("package_name", "String", "Os, Kvm", "Os, Kvm", false)]
    [InlineData("package_version", "String", "Os, Kvm", "Os, Kvm", false)]
    [InlineData("firewall_enabled", "Boolean", "All", "All", false)]
    [InlineData("limit_priv", "List", "All", "All", false)]
    [InlineData("tmpfs", "Integer", "Os", "Os", false)]
    [InlineData("filesystems", "ObjectArray", "Os", "Os, Kvm", false)]
    [InlineData("archive_on_delete", "Boolean", "All", "All", false)]
    [InlineData("indestructible_zoneroot", "Boolean", "All", "All", false)]
    [InlineData("indestructible_delegated", "Boolean", "All", "All", false)]
    [InlineData("do_not_inventory", "Boolean", "All", "All", false)]
    [InlineData("mdata_exec_timeout", "Integer", "Os", "None", false)]
    [InlineData("nowait", "Boolean", "Os", "None", false)]
    [InlineData("kernel_version", "String", "Lx", "Lx", false)]
    [InlineData("docker", "Boolean", "JoyentMinimal, Lx", "JoyentMinimal, Lx", false)]
    [InlineData("init_name", "String", "Os", "Os", false)]
    [InlineData("restart_init", "Boolean", "Os", "Os", false)]
    [InlineData("nics", "ObjectArray", "All", "All", false)]
    [InlineData("state", "String", "None", "None", true)]
    [InlineData("zone_state", "String", "None", "None", true)]
    [InlineData("zonepath", "String", "None", "None", true)]
    [InlineData("zfs_filesystem", "String", "None", "None", true)]
    [InlineData("type", "String", "None", "None", true)]
    [InlineData("hvm", "Boolean", "None", "None", true)]
    [InlineData("create_timestamp", "String", "None", "None", true)]
    [InlineData("last_modified", "String", "None", "None", true)]
    [InlineData("boot_timestamp", "String", "None", "None", true)]
    [InlineData("pid", "Integer", "None", "None", true)]
    [InlineData("zoneid", "Integer", "None", "None", true)]
    [InlineData("exit_status", "Integer", "None", "None", true)]
    [InlineData("exit_timestamp", "String", "None", "None", true)]
    [InlineData("server_uuid", "Uuid", "None", "None", true)]
    [InlineData("datacenter_name", "String", "None", "None", true)]
    [InlineData("platform_buildstamp", "String", "None", "None", true)]
    [InlineData("v", "Integer", "None", "None", true)]
    [InlineData("snapshots", "Any", "None", "None", true)]
    public void Table_rows_for_os_zone_properties(string name, string type, string create, string update, bool readOnly)
    {
        Assert.True(VmProperties.TryGet(name, out var property));
        Assert.Equal(type, property.Type.ToString());
        Assert.Equal(create, property.Create.ToString());
        Assert.Equal(update, property.Update.ToString());
        Assert.Equal(readOnly, property.ReadOnly);
    }

    [Theory]
    [InlineData("cpu_cap", "Live")]
    [InlineData("cpu_shares", "Live")]
    [InlineData("max_physical_memory", "Live")]
    [InlineData("max_swap", "Live")]
    [InlineData("max_locked_memory", "Live")]
    [InlineData("max_lwps", "Live")]
    [InlineData("zfs_io_priority", "Live")]
    [InlineData("quota", "Live")]
    [InlineData("flexible_disk_size", "Live")]
    [InlineData("alias", "Metadata")]
    [InlineData("tags", "Metadata")]
    [InlineData("customer_metadata", "Metadata")]
    [InlineData("tmpfs", "Reboot")]
    [InlineData("limit_priv", "Reboot")]
    [InlineData("nics", "Reboot")]
    [InlineData("kernel_version", "Reboot")]
    public void Update_effects(string name, string effect) =>
        Assert.Equal(effect, VmProperties.Find(name)!.Effect.ToString());

    [Theory]
    [InlineData("tags", "SetRemove", null)]
    [InlineData("customer_metadata", "SetRemove", null)]
    [InlineData("internal_metadata", "SetRemove", null)]
    [InlineData("routes", "SetRemove", null)]
    [InlineData("nics", "AddUpdateRemove", "mac")]
    [InlineData("filesystems", "AddUpdateRemove", "target")]
    [InlineData("disks", "AddUpdateRemove", "path")]
    [InlineData("pci_devices", "AddUpdateRemove", "path")]
    [InlineData("alias", "Replace", null)]
    [InlineData("uuid", "None", null)]
    public void Update_modes(string name, string mode, string? key)
    {
        var property = VmProperties.Find(name)!;
        Assert.Equal(mode, property.UpdateMode.ToString());
        Assert.Equal(key, property.Key);
    }

    [Theory]
    [InlineData("set_tags", "tags", VmUpdateOperation.Set)]
    [InlineData("remove_routes", "routes", VmUpdateOperation.Remove)]
    [InlineData("add_nics", "nics", VmUpdateOperation.Add)]
    [InlineData("update_filesystems", "filesystems", VmUpdateOperation.Update)]
    [InlineData("remove_nics", "nics", VmUpdateOperation.Remove)]
    public void Update_operations_resolve(string key, string property, VmUpdateOperation operation)
    {
        Assert.True(VmProperties.TryGetUpdateOperation(key, out var target, out var op));
        Assert.Equal(property, target.Name);
        Assert.Equal(operation, op);
    }

    [Theory]
    [InlineData("set_nics")]
    [InlineData("add_tags")]
    [InlineData("set_alias")]
    [InlineData("remove_")]
    [InlineData("alias")]
    [InlineData("delete_tags")]
    public void Update_operations_reject_mismatches(string key) =>
        Assert.False(VmProperties.TryGetUpdateOperation(key, out _, out _));

    [Fact]
    public void Nic_sub_properties_cover_the_spec()
    {
        string names = string.Join(",", VmProperties.NicProperties.Select(p => p.Name));
        Assert.Equal("mac,interface,nic_tag,vlan_id,ips,gateways,ip,netmask,gateway,primary,model,mtu,allow_ip_spoofing," +
            "allow_mac_spoofing,allow_dhcp_spoofing,allow_restricted_traffic,allow_unfiltered_promisc,allowed_ips," +
            "allowed_dhcp_cids,blocked_outgoing_ports,dhcp_server,network_uuid,vrrp_vrid,vrrp_primary_ip", names);
        Assert.Equal(VmBrands.Hvm, VmProperties.ElementProperties("nics")!["model"].Create);
        Assert.Equal(VmUpdateMode.None, VmProperties.ElementProperties("nics")!["interface"].UpdateMode);
    }

    [Theory]
    [InlineData("joyent", "OS", false)]
    [InlineData("joyent-minimal", "OS", false)]
    [InlineData("lx", "LX", false)]
    [InlineData("kvm", "KVM", true)]
    [InlineData("bhyve", "BHYVE", true)]
    [InlineData("sngl", null, false)]
    public void Brands(string brand, string? type, bool hvm)
    {
        Assert.Equal(type, VmBrand.TypeOf(brand));
        Assert.Equal(hvm, VmBrand.IsHvm(brand));
        Assert.Equal(type is not null, VmBrand.IsKnown(brand));
        Assert.Equal(type is "OS" or "LX", VmBrand.IsOs(brand));
    }
}
