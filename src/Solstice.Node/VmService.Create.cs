using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Images;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Node;

public sealed partial class VmService
{
    private static readonly HashSet<string> s_supportedBrands = ["joyent", "joyent-minimal", "lx"];

    /// <summary>
    /// vmadm create: validate (every error at once), apply SmartOS's defaults, record the VM as
    /// provisioning, clone its root from the image, and boot it if autoboot. The record is written
    /// before anything else exists, so recovery can find and undo a create cut short by a crash;
    /// a failure here undoes every step.
    /// </summary>
    public async Task<JsonObject> CreateAsync(JsonObject payload, CancellationToken ct)
    {
        var validation = VmValidator.Validate(payload, VmAction.Create, VmJson.AsString(payload["brand"]));
        if (!validation.IsValid)
            throw new VmValidationException(validation);
        var vm = VmDefaults.CreateVm(payload, _facts with { Now = DateTimeOffset.UtcNow });
        string uuid = VmJson.AsString(vm["uuid"])!;
        string brand = VmJson.AsString(vm["brand"]) ?? "joyent";
        // zonepath and zfs_filesystem follow the pool actually used (/zones/<uuid> for the default pool).
        vm["zonepath"] = ZonePath(uuid);
        vm["zfs_filesystem"] = ZoneDataset(uuid).ToString();
        vm["zpool"] = _pool.Name;
        if (!s_supportedBrands.Contains(brand))
            throw new SolsticeException(ErrorCode.NotSupported, $"brand '{brand}' is not supported on this node (joyent, joyent-minimal and lx are)");
        var image = CheckImage(vm, brand);
        _network?.CheckTags(vm);

        // The uuid is claimed in memory, and the record written on the VM's own lock thread: an
        // fsync under a node-wide lock would queue every create, and the pool threads they hold,
        // behind each other.
        if (!_creating.TryAdd(uuid, 0))
            throw AlreadyExists(uuid);
        try
        {
            if (_repository.Contains(uuid))
                throw AlreadyExists(uuid);
            return await WithLockAsync(uuid, () => CreateLocked(uuid, vm, image), ct);
        }
        finally
        {
            _creating.TryRemove(uuid, out _);
        }
    }

    private static SolsticeException AlreadyExists(string uuid) =>
        new(ErrorCode.AlreadyExists, $"VM with UUID {uuid} already exists");

    /// <summary>The create itself, on the VM's lock, its uuid claimed by the caller.</summary>
    private JsonObject CreateLocked(string uuid, JsonObject vm, DatasetName image)
    {
        _repository.Save(new VmRecord(uuid, VmPhase.Provisioning, vm));
        using var revert = new Reverter();
        revert.Add("remove record", () => _repository.Remove(uuid));
        Install(vm, image, revert);
        var record = new VmRecord(uuid, VmPhase.Ready, vm);
        _repository.Save(record);
        if (VmJson.TryGetBoolean(vm["autoboot"], out bool autoboot) && autoboot)
        {
            revert.Add("remove runtime", () => _runtime.Delete(uuid, force: true));
            StartLocked(uuid, publish: false);
        }
        revert.Success();
        var view = View(_repository.Find(uuid)!);
        Publish("create", null, view);
        return view;
    }

    private DatasetName CheckImage(JsonObject vm, string brand)
    {
        string imageUuid = VmJson.AsString(vm["image_uuid"])
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, "image_uuid is required for OS VMs");
        var images = new ImageStore(_pool);
        var image = images.Find(Guid.Parse(imageUuid));
        var final = images.SnapshotOf(Guid.Parse(imageUuid));
        if (image is null && !_pool.Exists(final))
            throw new SolsticeException(ErrorCode.NotFound, $"image {imageUuid} not found (install it with imgadm)");
        string? type = image?.Manifest.Type;
        bool fits = brand == "lx" ? type is "lx-dataset" or "docker" : type is "zone-dataset" or "lx-dataset";
        if (type is not null && !fits)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {imageUuid} is of type '{type}', which brand '{brand}' can't use");
        return final;
    }

    /// <summary>Clones the zone root from the image, sets the quota and writes the zone's identity files.</summary>
    private void Install(JsonObject vm, DatasetName image, Reverter revert)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        var dataset = ZoneDataset(uuid);
        if (_pool.Exists(dataset))
            throw new SolsticeException(ErrorCode.AlreadyExists, $"dataset {dataset} already exists");
        _pool.Clone(image, dataset);
        revert.Add("destroy zone dataset", () => _pool.Destroy(dataset, recursive: true));
        if (VmJson.TryGetInteger(vm["quota"], out long quotaGiB) && quotaGiB > 0 && _pool.Driver.Info.Quotas)
            _pool.SetQuota(dataset, quotaGiB << 30);
        string zonepath = _pool.PathOf(dataset);
        Directory.CreateDirectory(Path.Combine(zonepath, "config"));
        Directory.CreateDirectory(Path.Combine(zonepath, "logs"));
        ZoneIdentity.Write(vm, Path.Combine(zonepath, "root"));
    }
}
