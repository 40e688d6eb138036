using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Images;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>
    /// vmadm create: validate (every error at once), apply SmartOS's defaults, record the VM as
    /// provisioning, clone its root from the image, and boot it if autoboot. The record is written
    /// before anything else exists, so recovery can find and undo a create cut short by a crash;
    /// a failure here undoes every step.
    /// </summary>
    public async Task<JsonObject> CreateAsync(JsonObject payload, Action<string>? warn, CancellationToken ct)
    {
        // The validator reads the payload's brand itself, after its strict walk: reading a property here
        // first would meet a repeated key or a lone surrogate as an exception instead of a sentence.
        var validation = VmValidator.Validate(payload, VmAction.Create, null, NodeValidation);
        payload = Screen(validation, payload, warn);
        var vm = VmDefaults.CreateVm(payload, _facts with { Now = DateTimeOffset.UtcNow });
        Metadata.MetadataSize.Check(null, vm, _metadata.Limits.MaxTotalBytes);
        string uuid = VmJson.AsString(vm["uuid"])!;
        string brand = VmJson.AsString(vm["brand"]) ?? "joyent";
        // zonepath and zfs_filesystem follow the pool actually used (/zones/<uuid> for the default pool).
        vm["zonepath"] = ZonePath(uuid);
        vm["zfs_filesystem"] = ZoneDataset(uuid).ToString();
        vm["zpool"] = _pool.Name;
        _drivers.For(brand); // a brand no available driver serves is refused before anything exists
        var image = ImageSnapshot(vm);
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
            return await WithLockAsync(uuid, () =>
            {
                SaveProvisioning(uuid, vm);
                CrashPoint.Hit("create.provisioning");
                _journal.Begin(uuid, VmIntent.Create);
                try
                {
                    return CreateLocked(uuid, vm, image);
                }
                finally
                {
                    _journal.End(uuid);
                }
            }, ct);
        }
        finally
        {
            _creating.TryRemove(uuid, out _);
        }
    }

    private static SolsticeException AlreadyExists(string uuid) =>
        new(ErrorCode.AlreadyExists, $"VM with UUID {uuid} already exists");

    /// <summary>
    /// The provisioning record. A VM with nics is checked against every other VM's MACs and
    /// addresses and recorded under one node-wide lock, so two creates cannot both claim one
    /// address; a VM without nics needs no such lock (its fsync would queue other creates).
    /// </summary>
    private void SaveProvisioning(string uuid, JsonObject vm)
    {
        if (vm["nics"] is not JsonArray { Count: > 0 })
        {
            _repository.SaveProvisioning(new VmRecord(uuid, VmPhase.Provisioning, vm));
            return;
        }
        lock (_createLock)
        {
            VmNicConflicts.Check(vm, null, _repository.All.Select(r => r.Vm));
            _repository.SaveProvisioning(new VmRecord(uuid, VmPhase.Provisioning, vm));
        }
    }

    /// <summary>The create itself, on the VM's lock and in the intent journal, its uuid claimed by the caller.</summary>
    private JsonObject CreateLocked(string uuid, JsonObject vm, DatasetName image)
    {
        using var revert = new Reverter();
        revert.Add("remove record", () => _repository.Remove(uuid));
        revert.Add("remove console log", () => RemoveConsoleLog(uuid));
        Install(vm, image, revert);
        var record = new VmRecord(uuid, VmPhase.Ready, vm);
        _repository.Save(record);
        CrashPoint.Hit("create.ready");
        if (VmJson.TryGetBoolean(vm["autoboot"], out bool autoboot) && autoboot)
        {
            revert.Add("remove instance", () => DeleteInstance(uuid));
            StartLocked(uuid, publish: false);
        }
        revert.Success();
        var view = View(_repository.Find(uuid)!);
        Publish("create", null, view);
        return view;
    }

    /// <summary>
    /// The snapshot the zone root is cloned from. Validation (<see cref="NodeValidation"/>) has
    /// already found the image installed and of a type the brand can use; it is not asked twice.
    /// </summary>
    private DatasetName ImageSnapshot(JsonObject vm)
    {
        string imageUuid = VmJson.AsString(vm["image_uuid"])
            ?? throw new SolsticeException(ErrorCode.InvalidArgument, "image_uuid is required for OS VMs");
        return new ImageStore(_pool).SnapshotOf(Guid.Parse(imageUuid));
    }

    /// <summary>What is wrong with image <paramref name="imageUuid"/> for <paramref name="brand"/>: not installed, or of a type it can't use.</summary>
    private string? ImageProblem(string imageUuid, string brand)
    {
        var images = new ImageStore(_pool);
        var image = images.Find(Guid.Parse(imageUuid));
        if (image is null && !_pool.Exists(images.SnapshotOf(Guid.Parse(imageUuid))))
            return $"image {imageUuid} is not installed (install it with imgadm)";
        string? type = image?.Manifest.Type;
        var served = _drivers.Brand(brand);
        return type is not null && served is not null && !served.ImageTypes.Contains(type)
            ? $"image {imageUuid} is of type '{type}', which brand '{brand}' can't use"
            : null;
    }

    /// <summary>The host checks of VM.js validate: the payload's zpool is this node's pool, its image is installed.</summary>
    private VmValidationContext NodeValidation => new(pool => pool == _pool.Name, ImageProblem);

    /// <summary>
    /// vmadm validate on the node: every problem with SmartOS's names, the warnings create or update would print for
    /// the properties they drop, and the error they would fail with. An update is checked against the VM's brand.
    /// </summary>
    public JsonObject Validate(VmAction action, string? brandOrUuid, JsonObject payload)
    {
        string? brand = brandOrUuid;
        if (action == VmAction.Update && VmValueRules.HasUuidShape(brandOrUuid))
            brand = VmJson.AsString(Require(brandOrUuid).Vm["brand"]) ?? VmBrand.Default;
        var result = VmValidator.Validate(payload, action, brand,
            NodeValidation);
        var warnings = new JsonArray();
        foreach (string warning in result.Warnings)
            warnings.Add((JsonNode)warning);
        return new JsonObject
        {
            ["valid"] = result.IsValid,
            ["message"] = result.Message,
            ["brand"] = result.Brand,
            ["errors"] = result.ToJson(),
            ["warnings"] = warnings,
            ["failure"] = result.IsFatal ? result.FailureMessage : null,
        };
    }

    /// <summary>
    /// VM.js drops properties that are unknown or not allowed here with a warning instead of
    /// failing: the warnings go to <paramref name="warn"/> (the reply, which vmadm prints) even
    /// when the payload then fails; the payload comes back without the dropped properties.
    /// </summary>
    private static JsonObject Screen(VmValidationResult validation, JsonObject payload, Action<string>? warn)
    {
        foreach (string warning in validation.Warnings)
        {
            Console.Error.WriteLine($"solsticed: {warning}");
            warn?.Invoke(warning);
        }
        if (validation.IsFatal)
            throw new VmValidationException(validation);
        return validation.DroppedProperties.Count == 0 ? payload : validation.WithoutDroppedProperties(payload);
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
        Driver(uuid).Create(vm);
    }
}
