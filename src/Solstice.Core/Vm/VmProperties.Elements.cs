using System.Collections.Frozen;

namespace Solstice.Core.Vm;

public static partial class VmProperties
{
    // nics.*.X (smartos-interfaces.md §1.8). Create covers create payloads and add_nics; Update covers update_nics.
    private static readonly VmProperty[] s_nicProperties =
    [
        Sub("mac", VmPropertyType.String, AllB, NoB),
        Sub("interface", VmPropertyType.String, AllB, NoB),
        Sub("nic_tag", VmPropertyType.String, AllB, AllB) with { RequiredFor = AllB },
        Sub("vlan_id", VmPropertyType.Integer, AllB, AllB) with { Max = 4095 },
        Sub("ips", VmPropertyType.List, AllB, AllB),
        Sub("gateways", VmPropertyType.List, AllB, AllB),
        Sub("ip", VmPropertyType.String, AllB, AllB),
        Sub("netmask", VmPropertyType.String, AllB, AllB),
        Sub("gateway", VmPropertyType.String, AllB, AllB),
        Sub("primary", VmPropertyType.Boolean, AllB, AllB),
        Sub("model", VmPropertyType.String, HvmB, HvmB),
        Sub("mtu", VmPropertyType.Integer, AllB, AllB) with { Min = 576, Max = 9000 },
        Sub("allow_ip_spoofing", VmPropertyType.Boolean, AllB, AllB),
        Sub("allow_mac_spoofing", VmPropertyType.Boolean, AllB, AllB),
        Sub("allow_dhcp_spoofing", VmPropertyType.Boolean, AllB, AllB),
        Sub("allow_restricted_traffic", VmPropertyType.Boolean, AllB, AllB),
        Sub("allow_unfiltered_promisc", VmPropertyType.Boolean, HvmB, HvmB),
        Sub("allowed_ips", VmPropertyType.List, AllB, AllB),
        Sub("allowed_dhcp_cids", VmPropertyType.List, AllB & ~BhyveB, AllB & ~BhyveB),
        Sub("blocked_outgoing_ports", VmPropertyType.List, AllB, AllB),
        Sub("dhcp_server", VmPropertyType.Boolean, AllB, AllB),
        Sub("network_uuid", VmPropertyType.Uuid, AllB, AllB),
        Sub("vrrp_vrid", VmPropertyType.Integer, OsB, OsB) with { Max = 255 },
        Sub("vrrp_primary_ip", VmPropertyType.String, OsB, OsB),
    ];

    // filesystems.*.X: lofs and similar mounts of OS zones.
    private static readonly VmProperty[] s_filesystemProperties =
    [
        Sub("type", VmPropertyType.String, AllB, AllB) with { RequiredFor = AllB },
        Sub("source", VmPropertyType.String, AllB, AllB) with { RequiredFor = AllB },
        Sub("target", VmPropertyType.String, AllB, NoB) with { RequiredFor = AllB },
        Sub("raw", VmPropertyType.String, AllB, AllB),
        Sub("options", VmPropertyType.List, AllB, AllB),
    ];

    // disks.*.X of HVM brands (proptable.js 'disks.*.X'). Create covers create payloads and add_disks; Update covers
    // update_disks. path is the key: allowed in update_disks to name the disk, in add_disks only for cdroms and
    // nocreate disks (checked with the other disk rules in VmValidator.Disks).
    private static readonly VmProperty[] s_diskProperties =
    [
        Sub("path", VmPropertyType.String, HvmB, HvmB),
        Sub("size", VmPropertyType.Integer, HvmB, BhyveB) with { Max = MaxMiB },
        Sub("image_uuid", VmPropertyType.Uuid, HvmB, NoB),
        Sub("image_size", VmPropertyType.Integer, HvmB, NoB) with { Max = MaxMiB },
        Sub("image_name", VmPropertyType.String, KvmB, KvmB),
        Sub("boot", VmPropertyType.Boolean, HvmB, HvmB),
        Sub("model", VmPropertyType.String, HvmB, HvmB),
        Sub("media", VmPropertyType.String, HvmB, HvmB),
        Sub("block_size", VmPropertyType.Integer, HvmB, NoB) with { Min = 512, Max = 131072 },
        Sub("compression", VmPropertyType.String, HvmB, HvmB),
        Sub("nocreate", VmPropertyType.Boolean, HvmB, NoB),
        Sub("refreservation", VmPropertyType.Integer, HvmB, HvmB) with { Max = MaxMiB },
        Sub("zpool", VmPropertyType.Zpool, HvmB, NoB),
        Sub("uuid", VmPropertyType.Uuid, BhyveB, BhyveB),
        Sub("pci_slot", VmPropertyType.String, BhyveB, BhyveB),
        Sub("guest_block_size", VmPropertyType.String, BhyveB, BhyveB),
        Sub("notrim", VmPropertyType.Boolean, BhyveB, BhyveB),
        Sub("dangerous_allow_shrink", VmPropertyType.Boolean, NoB, BhyveB),
    ];

    private static readonly FrozenDictionary<string, VmProperty> s_nicByName =
        s_nicProperties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, VmProperty> s_filesystemByName =
        s_filesystemProperties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, VmProperty> s_diskByName =
        s_diskProperties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The <c>nics.*.X</c> sub-properties.</summary>
    public static IReadOnlyList<VmProperty> NicProperties => s_nicProperties;

    /// <summary>The <c>filesystems.*.X</c> sub-properties.</summary>
    public static IReadOnlyList<VmProperty> FilesystemProperties => s_filesystemProperties;

    /// <summary>The <c>disks.*.X</c> sub-properties (kvm and bhyve).</summary>
    public static IReadOnlyList<VmProperty> DiskProperties => s_diskProperties;

    /// <summary>
    /// The sub-property table of an object array, or null when elements are accepted by type only
    /// (pci_devices of bhyve).
    /// </summary>
    public static IReadOnlyDictionary<string, VmProperty>? ElementProperties(string arrayName) => arrayName switch
    {
        "nics" => s_nicByName,
        "filesystems" => s_filesystemByName,
        "disks" => s_diskByName,
        _ => null,
    };

    private static VmProperty Sub(string name, VmPropertyType type, VmBrands create, VmBrands update) =>
        new(name, type)
        {
            Create = create,
            Update = update,
            UpdateMode = update == NoB ? VmUpdateMode.None : VmUpdateMode.Replace,
        };
}
