using System.Collections.Frozen;

namespace Solstice.Core.Vm;

/// <summary>
/// The vmadm property table (smartos-interfaces.md §1.8): which brands may set each property on create and
/// update, its type, whether an update applies live, and its <c>vmadm list</c> column (§1.3 LIST_FIELDS).
/// HVM rows (kvm, bhyve) follow proptable.js; their values are checked as VM.js checks them (VmValidator.Hvm).
/// </summary>
public static partial class VmProperties
{
    private const VmBrands AllB = VmBrands.All;
    private const VmBrands OsB = VmBrands.Os;
    private const VmBrands HvmB = VmBrands.Hvm;
    private const VmBrands KvmB = VmBrands.Kvm;
    private const VmBrands BhyveB = VmBrands.Bhyve;
    private const VmBrands NoB = VmBrands.None;
    private const VmUpdateEffect Meta = VmUpdateEffect.Metadata;
    private const VmUpdateEffect Live = VmUpdateEffect.Live;
    private const VmUpdateEffect Boot = VmUpdateEffect.Reboot;

    /// <summary>The all-zero uuid vmadm uses as the default owner_uuid and billing_id.</summary>
    public const string ZeroUuid = "00000000-0000-0000-0000-000000000000";

    /// <summary>
    /// The largest MiB value whose byte count fits a signed 64-bit integer: memory limits are passed on in bytes
    /// (<c>value &lt;&lt; 20</c>), so anything larger would wrap around.
    /// </summary>
    public const long MaxMiB = long.MaxValue >> 20;

    /// <summary>The largest quota in GiB whose byte count fits a signed 64-bit integer (<c>quota &lt;&lt; 30</c>).</summary>
    public const long MaxGiB = long.MaxValue >> 30;

    /// <summary>limit_priv default of kvm and bhyve VMs.</summary>
    public const string HvmLimitPriv = "default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session";

    private static readonly VmProperty[] s_properties =
    [
        CreateOnly("uuid", VmPropertyType.Uuid, AllB) with { Header = "UUID", Width = 36 },
        Rw("alias", VmPropertyType.String, AllB, AllB, Meta) with { Header = "ALIAS", Width = 10 },
        CreateOnly("brand", VmPropertyType.String, AllB) with { Header = "BRAND", Width = 14 },
        Ro("type", VmPropertyType.String) with { Header = "TYPE", Width = 4 },
        Ro("hvm", VmPropertyType.Boolean) with { Header = "HVM", Width = 5 },
        Ro("state", VmPropertyType.String) with { Header = "STATE", Width = 16 },
        Ro("zone_state", VmPropertyType.String) with { Header = "ZONE_STATE", Width = 10 },
        CreateOnly("image_uuid", VmPropertyType.Uuid, AllB) with { RequiredFor = OsB, Header = "IMAGE_UUID", Width = 36 },

        // ram is reboot-only for HVM; for OS VMs it aliases max_physical_memory, which is live.
        Rw("ram", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 1, Max = MaxMiB, Header = "RAM", Width = 7 },
        Rw("max_physical_memory", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 1, Max = MaxMiB, Header = "MAX_PHYS", Width = 8 },
        Rw("max_locked_memory", VmPropertyType.Integer, AllB, AllB, Live) with { Max = MaxMiB, Header = "MAX_LOCKED", Width = 10 },
        Rw("max_swap", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 256, Max = MaxMiB, Header = "MAX_SWAP", Width = 8 },
        Rw("max_lwps", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 1, Max = int.MaxValue, Header = "MAX_LWP", Width = 7 },
        Rw("max_shm_memory", VmPropertyType.Integer, AllB, AllB, Live) with { Max = MaxMiB },
        Rw("max_msg_ids", VmPropertyType.Integer, AllB, AllB, Live),
        Rw("max_sem_ids", VmPropertyType.Integer, AllB, AllB, Live),
        Rw("max_shm_ids", VmPropertyType.Integer, AllB, AllB, Live),
        Rw("cpu_cap", VmPropertyType.Integer, AllB, AllB, Live) with { Max = int.MaxValue / 10000, Header = "CPU_CAP", Width = 7 },
        Rw("cpu_shares", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 1, Max = 65535, Header = "CPU_SHARE", Width = 9 },
        Rw("vcpus", VmPropertyType.Integer, HvmB, HvmB, Boot) with { Min = 1, Header = "VCPUS", Width = 5 },
        Rw("cpu_type", VmPropertyType.String, KvmB, KvmB, Boot) with { Header = "CPU_TYPE", Width = 8 },
        Rw("quota", VmPropertyType.Integer, AllB, AllB, Live) with { Max = MaxGiB, KeepZero = true, Header = "QUOTA", Width = 5 },
        Rw("zfs_io_priority", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 1, Max = int.MaxValue, Header = "IO_PRIORITY", Width = 11 },
        CreateOnly("zpool", VmPropertyType.Zpool, AllB) with { Header = "ZPOOL", Width = 12 },
        CreateOnly("zonename", VmPropertyType.String, AllB) with { Header = "ZONENAME", Width = 12 },
        Ro("zonepath", VmPropertyType.String) with { Header = "ZONEPATH", Width = 40 },
        Ro("zfs_filesystem", VmPropertyType.String),
        Rw("autoboot", VmPropertyType.Boolean, AllB, AllB, Meta) with { Header = "AUTOBOOT", Width = 8 },
        Rw("hostname", VmPropertyType.String, AllB, AllB, Meta) with { Header = "HOSTNAME", Width = 32 },
        Rw("dns_domain", VmPropertyType.String, OsB, OsB, Meta) with { Header = "DOMAIN", Width = 32 },
        Rw("resolvers", VmPropertyType.List, AllB, AllB, Live) with { Flattenable = true },
        Rw("maintain_resolvers", VmPropertyType.Boolean, OsB, OsB, Meta),
        Map("routes", AllB, Live),
        Map("customer_metadata", AllB, Meta),
        Map("internal_metadata", AllB, Meta),
        Rw("internal_metadata_namespaces", VmPropertyType.List, AllB, AllB, Meta) with { Flattenable = true },
        Map("tags", AllB, Meta),
        Rw("owner_uuid", VmPropertyType.Uuid, AllB, AllB, Meta) with { Header = "OWNER_UUID", Width = 36 },
        Rw("billing_id", VmPropertyType.String, AllB, AllB, Meta) with { Header = "BILLING_ID", Width = 36 },
        Rw("package_name", VmPropertyType.String, AllB & ~BhyveB, AllB & ~BhyveB, Meta) with { Header = "PACKAGE_NAME", Width = 32 },
        Rw("package_version", VmPropertyType.String, AllB & ~BhyveB, AllB & ~BhyveB, Meta) with { Header = "PACKAGE_VER", Width = 11 },
        Rw("firewall_enabled", VmPropertyType.Boolean, AllB, AllB, Live) with { Header = "FIREWALL_ENABLED", Width = 16 },
        Ro("create_timestamp", VmPropertyType.String) with { Header = "CREATE_TIMESTAMP", Width = 24 },
        Ro("last_modified", VmPropertyType.String),
        Ro("boot_timestamp", VmPropertyType.String) with { Header = "BOOT_TIMESTAMP", Width = 24 },
        Ro("pid", VmPropertyType.Integer) with { Header = "PID", Width = 6 },
        Ro("zoneid", VmPropertyType.Integer) with { Header = "ZONEID", Width = 6 },
        Ro("zonedid", VmPropertyType.Integer),
        Ro("exit_status", VmPropertyType.Integer) with { Header = "EXIT", Width = 4 },
        Ro("exit_timestamp", VmPropertyType.String) with { Header = "EXIT_TIMESTAMP", Width = 24 },
        Ro("init_restarts", VmPropertyType.Integer),
        Ro("server_uuid", VmPropertyType.Uuid),
        Ro("datacenter_name", VmPropertyType.String),
        Ro("headnode_id", VmPropertyType.String),
        Ro("platform_buildstamp", VmPropertyType.String),
        Ro("v", VmPropertyType.Integer),
        Ro("snapshots", VmPropertyType.Any),
        Ro("datasets", VmPropertyType.List),
        Ro("transition_to", VmPropertyType.String),
        Ro("transition_expire", VmPropertyType.Integer),
        Ro("zlog_mode", VmPropertyType.String),
        Ro("free_space", VmPropertyType.Integer) with { Header = "FREE_SPACE", Width = 14 },
        Rw("limit_priv", VmPropertyType.List, AllB, AllB, Boot),
        Rw("fs_allowed", VmPropertyType.List, OsB, OsB, Boot),
        Rw("tmpfs", VmPropertyType.Integer, OsB, OsB, Boot) with { Max = MaxMiB, KeepZero = true, Header = "TMPFS", Width = 5 },
        CreateOnly("delegate_dataset", VmPropertyType.Boolean, OsB),
        Array("filesystems", OsB, OsB | KvmB, "target"),
        Rw("zfs_root_compression", VmPropertyType.String, AllB, AllB, Live),
        Rw("zfs_data_compression", VmPropertyType.String, OsB, OsB, Live),
        Rw("zfs_root_recsize", VmPropertyType.Integer, AllB, AllB, Live) with { Min = 512, Max = 131072 },
        Rw("zfs_data_recsize", VmPropertyType.Integer, OsB, OsB, Live) with { Min = 512, Max = 131072 },
        Rw("zfs_filesystem_limit", VmPropertyType.Integer, AllB, AllB, Live),
        Rw("zfs_snapshot_limit", VmPropertyType.Integer, AllB, AllB, Live),
        Rw("archive_on_delete", VmPropertyType.Boolean, AllB, AllB, Meta),
        Rw("indestructible_zoneroot", VmPropertyType.Boolean, AllB, AllB, Live) with { Header = "INDESTR_ROOT", Width = 12 },
        Rw("indestructible_delegated", VmPropertyType.Boolean, AllB, AllB, Live) with { Header = "INDESTR_DATA", Width = 12 },
        Rw("do_not_inventory", VmPropertyType.Boolean, AllB, AllB, Meta) with { Header = "DNI", Width = 5 },
        CreateOnly("mdata_exec_timeout", VmPropertyType.Integer, OsB),
        CreateOnly("nowait", VmPropertyType.Boolean, OsB),
        Rw("kernel_version", VmPropertyType.String, VmBrands.Lx, VmBrands.Lx, Boot) with { RequiredFor = VmBrands.Lx },
        Rw("docker", VmPropertyType.Boolean, VmBrands.JoyentMinimal | VmBrands.Lx, VmBrands.JoyentMinimal | VmBrands.Lx, Boot)
            with { Header = "DOCKER", Width = 6 },
        Rw("init_name", VmPropertyType.String, OsB, OsB, Boot),
        Rw("restart_init", VmPropertyType.Boolean, OsB, OsB, Boot),
        Rw("zlog_max_size", VmPropertyType.Integer, OsB, OsB, Boot),
        Array("nics", AllB, AllB, "mac") with { Flattenable = true },

        // HVM rows (kvm, bhyve); value rules in VmValidator.Hvm.
        Array("disks", HvmB, HvmB, "path") with { Flattenable = true },
        Rw("nic_driver", VmPropertyType.String, HvmB, HvmB, Boot),
        Rw("disk_driver", VmPropertyType.String, HvmB, HvmB, Boot),
        Rw("boot", VmPropertyType.String, HvmB, HvmB, Boot),
        Rw("bootrom", VmPropertyType.String, BhyveB, BhyveB, Boot),
        Rw("com1", VmPropertyType.String, BhyveB, BhyveB, Boot),
        Rw("com2", VmPropertyType.String, BhyveB, BhyveB, Boot),
        Rw("flexible_disk_size", VmPropertyType.Integer, BhyveB, BhyveB, Live) with { Header = "FLEX_DISK_SIZE", Width = 14 },
        Rw("vnc_port", VmPropertyType.Integer, HvmB, HvmB, Boot) with { Min = -1, Max = 65535 },
        Rw("vnc_password", VmPropertyType.String, HvmB, HvmB, Boot),
        Rw("spice_port", VmPropertyType.Integer, KvmB, KvmB, Boot) with { Min = -1, Max = 65535 },
        Rw("spice_password", VmPropertyType.String, KvmB, KvmB, Boot),
        Rw("spice_opts", VmPropertyType.String, KvmB, KvmB, Boot),
        Rw("vga", VmPropertyType.String, KvmB, KvmB, Boot),
        Rw("qemu_opts", VmPropertyType.String, KvmB, KvmB, Boot),
        Rw("qemu_extra_opts", VmPropertyType.String, KvmB, KvmB, Boot) with { Header = "QEMU_EXTRA_OPTS", Width = 15 },
        Rw("bhyve_extra_opts", VmPropertyType.String, BhyveB, BhyveB, Boot),
        Rw("virtio_txburst", VmPropertyType.Integer, KvmB, KvmB, Boot),
        Rw("virtio_txtimer", VmPropertyType.Integer, KvmB, KvmB, Boot),
        Array("pci_devices", BhyveB, BhyveB, "path") with { Flattenable = true },
    ];

    private static readonly FrozenDictionary<string, VmProperty> s_byName =
        s_properties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    private static readonly VmProperty[] s_listFields = [.. s_properties.Where(p => p.IsListField).OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>Every top-level property, in table order.</summary>
    public static IReadOnlyList<VmProperty> All => s_properties;

    /// <summary>The properties <c>vmadm list -o</c> accepts by name, sorted by name.</summary>
    public static IReadOnlyList<VmProperty> ListFields => s_listFields;

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VmProperty? property) =>
        s_byName.TryGetValue(name, out property);

    public static VmProperty? Find(string name) => s_byName.GetValueOrDefault(name);

    /// <summary>
    /// Resolves update-only keys: <c>set_tags</c> → (tags, "set"), <c>remove_nics</c> → (nics, "remove"),
    /// <c>add_/update_</c> likewise. Returns false for ordinary property names.
    /// </summary>
    public static bool TryGetUpdateOperation(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VmProperty? property,
        out VmUpdateOperation operation)
    {
        property = null;
        operation = default;
        int underscore = key.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0)
            return false;
        operation = key[..underscore] switch
        {
            "set" => VmUpdateOperation.Set,
            "remove" => VmUpdateOperation.Remove,
            "add" => VmUpdateOperation.Add,
            "update" => VmUpdateOperation.Update,
            _ => (VmUpdateOperation)(-1),
        };
        if (!Enum.IsDefined(operation) || !s_byName.TryGetValue(key[(underscore + 1)..], out var target))
            return false;
        bool fits = target.UpdateMode switch
        {
            VmUpdateMode.SetRemove => operation is VmUpdateOperation.Set or VmUpdateOperation.Remove,
            VmUpdateMode.AddUpdateRemove => operation is VmUpdateOperation.Add or VmUpdateOperation.Update or VmUpdateOperation.Remove,
            _ => false,
        };
        if (!fits)
            return false;
        property = target;
        return true;
    }

    private static VmProperty Rw(string name, VmPropertyType type, VmBrands create, VmBrands update, VmUpdateEffect effect) =>
        new(name, type) { Create = create, Update = update, UpdateMode = VmUpdateMode.Replace, Effect = effect };

    private static VmProperty CreateOnly(string name, VmPropertyType type, VmBrands create) =>
        new(name, type) { Create = create };

    private static VmProperty Ro(string name, VmPropertyType type) => new(name, type);

    private static VmProperty Map(string name, VmBrands brands, VmUpdateEffect effect) =>
        new(name, VmPropertyType.FlatObject)
        {
            Create = brands, Update = brands, UpdateMode = VmUpdateMode.SetRemove, Effect = effect, Flattenable = true,
        };

    private static VmProperty Array(string name, VmBrands create, VmBrands update, string key) =>
        new(name, VmPropertyType.ObjectArray)
        {
            Create = create, Update = update, UpdateMode = VmUpdateMode.AddUpdateRemove, Effect = Boot, Key = key,
        };
}

/// <summary>The prefix of an update-only key: <c>set_</c>, <c>remove_</c>, <c>add_</c>, <c>update_</c>.</summary>
public enum VmUpdateOperation
{
    Set,
    Remove,
    Add,
    Update,
}
