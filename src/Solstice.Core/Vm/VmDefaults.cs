using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// Builds the full VM object of a create payload with the SmartOS defaults (smartos-interfaces.md §1.8 and its
/// conformance list; memory derivation per §8 item 3). Keys are in ordinal order so output is deterministic.
/// </summary>
public static class VmDefaults
{
    public const long Ram = 256;
    public const long MinSwap = 256;
    public const long MaxLwps = 2000;
    public const long MaxIpcIds = 4096;
    public const long CpuShares = 100;
    public const long ZfsIoPriority = 100;
    public const long Quota = 10;
    public const long BhyveQuota = 1;
    public const long ZfsRootRecsize = 131072;
    public const string DnsDomain = "local";
    public const string Zpool = "zones";

    /// <summary>kvm guests get this much memory above ram for the qemu process; bhyve gets <see cref="BhyveOverhead"/>.</summary>
    public const long KvmOverhead = 1024;
    public const long BhyveOverhead = 1280;

    /// <summary>HVM max_physical_memory is at least ram plus this.</summary>
    public const long MinHvmOverhead = 256;

    /// <summary>
    /// Validates <paramref name="payload"/> (throwing <see cref="VmValidationException"/>) and returns the VM
    /// object to store. Its <c>state</c> is <c>provisioning</c> and <c>zone_state</c> <c>configured</c>; the
    /// caller advances them. <c>nowait</c> is a create option and is not stored.
    /// </summary>
    public static JsonObject CreateVm(JsonObject payload, VmNodeFacts facts)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(facts);
        VmValidator.ThrowIfInvalid(payload, VmAction.Create);

        string brand = VmValidator.BrandOf(payload);
        var brandFlag = VmBrand.Parse(brand);
        bool hvm = (brandFlag & VmBrands.Hvm) != 0;
        var vm = new JsonObject();
        foreach (var (key, value) in payload)
        {
            if (value is not null && key != "nowait" && !VmUpdater.IsBlank(VmProperties.Find(key)!, value))
                vm[key] = VmPayload.Coerce(VmProperties.Find(key)!, value);
        }

        string uuid = VmJson.AsString(vm["uuid"]) ?? facts.NewUuid().ToString("D");
        vm["uuid"] = uuid;
        vm["brand"] = brand;
        vm["type"] = VmBrand.TypeOf(brand);
        vm["hvm"] = hvm;
        ApplyMemory(vm, brandFlag);

        SetDefault(vm, "autoboot", true);
        SetDefault(vm, "billing_id", VmProperties.ZeroUuid);
        SetDefault(vm, "owner_uuid", VmProperties.ZeroUuid);
        SetDefault(vm, "cpu_shares", CpuShares);
        SetDefault(vm, "zfs_io_priority", ZfsIoPriority);
        SetDefault(vm, "max_lwps", MaxLwps);
        SetDefault(vm, "max_msg_ids", MaxIpcIds);
        SetDefault(vm, "max_sem_ids", MaxIpcIds);
        SetDefault(vm, "max_shm_ids", MaxIpcIds);
        SetDefault(vm, "quota", brandFlag == VmBrands.Bhyve ? BhyveQuota : Quota);
        SetDefault(vm, "zfs_root_recsize", ZfsRootRecsize);
        SetDefault(vm, "firewall_enabled", false);
        SetDefault(vm, "limit_priv", hvm ? VmProperties.HvmLimitPriv : "default");
        foreach (string map in (string[])["customer_metadata", "internal_metadata", "tags", "routes"])
            SetDefault(vm, map, new JsonObject());
        SetDefault(vm, "resolvers", new JsonArray());
        SetDefault(vm, "nics", new JsonArray());
        vm["snapshots"] = new JsonArray();
        vm["v"] = 1;
        vm["init_restarts"] = 0;
        if (hvm)
        {
            SetDefault(vm, "vcpus", 1);
            SetDefault(vm, "disks", new JsonArray());
        }
        else
        {
            SetDefault(vm, "dns_domain", DnsDomain);
        }
        // do_not_inventory only appears in VM objects when true.
        if (VmJson.TryGetBoolean(vm["do_not_inventory"], out bool dni) && !dni)
            vm.Remove("do_not_inventory");

        string zpool = VmJson.AsString(vm["zpool"]) ?? Zpool;
        string zonename = VmJson.AsString(vm["zonename"]) ?? uuid;
        vm["zpool"] = zpool;
        vm["zonename"] = zonename;
        vm["zonepath"] = facts.MountpointOf(zpool) + "/" + zonename;
        vm["zfs_filesystem"] = zpool + "/" + zonename;
        SetDefault(vm, "hostname", zonename);

        string now = VmJson.FormatTimestamp(facts.Now);
        vm["create_timestamp"] = now;
        vm["last_modified"] = now;
        vm["server_uuid"] = facts.ServerUuid;
        if (facts.DatacenterName is not null)
            vm["datacenter_name"] = facts.DatacenterName;
        if (facts.PlatformBuildstamp is not null)
            vm["platform_buildstamp"] = facts.PlatformBuildstamp;
        vm["state"] = "provisioning";
        vm["zone_state"] = "configured";

        var nics = (JsonArray)vm["nics"]!;
        NormalizeNics(nics, VmJson.AsString(vm["nic_driver"]), hvm, facts.RandomBytes);
        if (hvm && vm["disks"] is JsonArray disks)
            NormalizeDisks(disks, VmJson.AsString(vm["disk_driver"]));
        return VmJson.SortedCopy(vm);
    }

    /// <summary>
    /// OS VMs: ram is an alias of max_physical_memory (which wins if both are given) and is not stored.
    /// HVM: max_physical_memory = ram + 1024 (kvm) / 1280 (bhyve), and at least ram + 256.
    /// Then max_locked_memory = max_physical_memory (clamped to it), max_swap = max(max_physical_memory, 256)
    /// (raised to max_physical_memory), max_shm_memory and tmpfs = max_physical_memory (tmpfs clamped to it).
    /// </summary>
    private static void ApplyMemory(JsonObject vm, VmBrands brand)
    {
        long? ram = Integer(vm, "ram");
        long? physical = Integer(vm, "max_physical_memory");
        long mpm;
        if ((brand & VmBrands.Hvm) == 0)
        {
            mpm = physical ?? ram ?? Ram;
            vm.Remove("ram");
        }
        else
        {
            long guest = ram ?? Ram;
            long overhead = brand == VmBrands.Kvm ? KvmOverhead : BhyveOverhead;
            mpm = Math.Max(physical ?? guest + overhead, guest + MinHvmOverhead);
            vm["ram"] = guest;
        }
        vm["max_physical_memory"] = mpm;
        vm["max_locked_memory"] = Math.Min(Integer(vm, "max_locked_memory") ?? mpm, mpm);
        vm["max_swap"] = Math.Max(Integer(vm, "max_swap") ?? Math.Max(mpm, MinSwap), mpm);
        SetDefault(vm, "max_shm_memory", mpm);
        if ((brand & VmBrands.Os) != 0)
            vm["tmpfs"] = Math.Min(Integer(vm, "tmpfs") ?? mpm, mpm);
    }

    internal static void NormalizeNics(JsonArray nics, string? nicDriver, bool hvm, Func<int, byte[]> randomBytes)
    {
        for (int i = 0; i < nics.Count; i++)
        {
            if (nics[i] is JsonObject nic)
            {
                if (hvm)
                    VmNics.ApplyModelDefault(nic, nicDriver);
                VmNics.SyncAddresses(nic);
            }
        }
        VmNics.AssignMacs(nics, randomBytes);
        VmNics.AssignInterfaces(nics);
        VmNics.EnsurePrimary(nics);
        for (int i = 0; i < nics.Count; i++)
        {
            if (nics[i] is JsonObject nic)
                nics[i] = VmJson.SortedCopy(nic);
        }
    }

    /// <summary>
    /// VM.js create: a disk without model takes the VM's disk_driver, and one without media is a disk.
    /// (A disk left without a model is refused by the instance driver at create, as VM.js refuses it.)
    /// </summary>
    internal static void NormalizeDisks(JsonArray disks, string? diskDriver)
    {
        for (int i = 0; i < disks.Count; i++)
        {
            if (disks[i] is not JsonObject disk)
                continue;
            if (diskDriver is not null && disk["model"] is null)
                disk["model"] = diskDriver;
            if (disk["media"] is null)
                disk["media"] = "disk";
            disks[i] = VmJson.SortedCopy(disk);
        }
    }

    internal static long? Integer(JsonObject vm, string key) => VmJson.TryGetInteger(vm[key], out long value) ? value : null;

    private static void SetDefault(JsonObject vm, string key, JsonNode value)
    {
        if (vm[key] is null)
            vm[key] = value;
    }
}
