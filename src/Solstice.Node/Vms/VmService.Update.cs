using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Metadata;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>
    /// vmadm update: validates the payload for the VM's brand, applies it with vmadm's semantics,
    /// persists, and pushes live properties (resource controls, quota) into a running zone.
    /// The record is saved before the live push; after a crash, recovery re-applies the stored
    /// controls to running zones, so the two can't stay apart.
    /// </summary>
    public Task<JsonObject> UpdateAsync(string uuid, JsonObject payload, CancellationToken ct) => UpdateAsync(uuid, payload, null, ct);

    /// <summary>As <see cref="UpdateAsync(string, JsonObject, CancellationToken)"/>; the properties it drops are warned of to <paramref name="warn"/>.</summary>
    public Task<JsonObject> UpdateAsync(string uuid, JsonObject payload, Action<string>? warn, CancellationToken ct) => WithLockAsync(uuid, () =>
    {
        var record = RequireReady(uuid);
        string brand = VmJson.AsString(record.Vm["brand"]) ?? VmBrand.Default;
        var validation = VmValidator.Validate(payload, VmAction.Update, brand, NodeValidation);
        payload = Screen(validation, payload, warn);
        var before = View(record);
        VmUpdateResult result;
        lock (_persistLock)
        {
            var current = Require(uuid).Vm;
            bool setsMetadata = payload.ContainsKey("set_customer_metadata") || payload.ContainsKey("set_internal_metadata");
            if (setsMetadata)
                MetadataSize.CheckPayload(current, payload, _metadata.Limits.MaxTotalBytes);
            result = VmUpdater.Apply(current, payload);
            if (result.ChangedPaths.Any(p => p.StartsWith("nics", StringComparison.Ordinal)))
            {
                _network?.CheckTags(result.Vm);
                VmNicConflicts.Check(result.Vm, record.Vm, _repository.All.Select(r => r.Vm));
            }
            if (result.HasChanges)
            {
                if (setsMetadata)
                    MetadataSize.Check(current, result.Vm, _metadata.Limits.MaxTotalBytes);
                result.Vm["last_modified"] = VmJson.FormatTimestamp(DateTimeOffset.UtcNow);
                _repository.Save(record with { Vm = result.Vm });
            }
        }
        if (result.HasChanges)
        {
            if (_network is not null && _running.ContainsKey(uuid) && result.ChangedPaths.Any(p => p.StartsWith("nics", StringComparison.Ordinal)))
                _network.UpdateNics(record.Vm, result.Vm);
            if (_network is not null && result.ChangedPaths.Contains("firewall_enabled"))
                _network.Firewall.Apply([uuid]);
            ApplyLive(uuid, result.Vm, result.ChangedPaths);
            Publish(VmEvent.Modify, before, View(Require(uuid)));
        }
        return View(Require(uuid));
    }, ct);

    private void ApplyLive(string uuid, JsonObject vm, IReadOnlyList<string> changed)
    {
        if (changed.Contains("quota") && _pool.Driver.Info.Quotas)
        {
            long? bytes = VmJson.TryGetInteger(vm["quota"], out long gib) && gib > 0 ? gib << 30 : null;
            _pool.SetQuota(ZoneDataset(uuid), bytes);
        }
        var driver = Driver(uuid);
        if (_running.ContainsKey(uuid) && changed.Any(driver.Info.LiveProperties.Contains))
            driver.Update(vm);
    }
}
