using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// <c>vmadm update</c> semantics (smartos-interfaces.md §1.4) applied to a VM object: plain properties are
/// replaced (JSON null removes; integer 0 removes except for tmpfs), maps change through set_/remove_, object
/// arrays through add_/update_/remove_ keyed by mac, target or path; memory limits are re-derived.
/// </summary>
public static partial class VmUpdater
{
    /// <summary>
    /// Validates <paramref name="update"/> against the VM's brand (throwing <see cref="VmValidationException"/>)
    /// and returns the updated copy. Throws <see cref="SolsticeException"/> with <see cref="ErrorCode.NotFound"/>
    /// when update_/remove_ names an element the VM lacks and <see cref="ErrorCode.Conflict"/> when add_ repeats one.
    /// </summary>
    public static VmUpdateResult Apply(JsonObject vm, JsonObject update, Func<int, byte[]>? randomBytes = null)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(update);
        string brand = VmJson.AsString(vm["brand"]) ?? VmBrand.Default;
        VmValidator.ThrowIfInvalid(update, VmAction.Update, brand);
        var brandFlag = VmBrand.Parse(brand);
        bool hvm = (brandFlag & VmBrands.Hvm) != 0;
        var result = vm.DeepClone().AsObject();

        foreach (var (key, value) in update)
        {
            if (!VmProperties.TryGet(key, out var property) || property.UpdateMode != VmUpdateMode.Replace)
                continue;
            string target = key;
            if (!hvm && key == "ram")
            {
                // ram aliases max_physical_memory on OS VMs; an explicit max_physical_memory wins.
                if (update.ContainsKey("max_physical_memory"))
                    continue;
                target = "max_physical_memory";
            }
            var coerced = VmPayload.Coerce(property, value);
            bool unset = coerced is null
                || (property.Type == VmPropertyType.Integer && !property.KeepZero
                    && VmJson.TryGetInteger(coerced, out long number) && number == 0);
            if (unset)
                result.Remove(target);
            else
                result[target] = coerced;
        }

        foreach (var (key, value) in update)
        {
            if (VmProperties.TryGetUpdateOperation(key, out var property, out var operation)
                && property.UpdateMode == VmUpdateMode.SetRemove)
                ApplyMap(result, property.Name, operation, value);
        }
        ApplyArrays(result, update, hvm, randomBytes ?? System.Security.Cryptography.RandomNumberGenerator.GetBytes);
        ApplyMemory(vm, result, update, brandFlag);

        var sorted = VmJson.SortedCopy(result);
        var changes = VmDiff.Compute(vm, sorted);
        var effects = changes.Select(c => EffectOf(c.Property, hvm)).ToList();
        return new VmUpdateResult(sorted, changes, effects);
    }

    /// <summary>What a change to <paramref name="property"/> needs; ram is live only where it aliases max_physical_memory.</summary>
    public static VmUpdateEffect EffectOf(string property, bool hvm) =>
        property == "ram" && hvm ? VmUpdateEffect.Reboot : VmProperties.Find(property)?.Effect ?? VmUpdateEffect.Reboot;

    private static void ApplyMap(JsonObject vm, string name, VmUpdateOperation operation, JsonNode? value)
    {
        var map = vm[name] as JsonObject ?? new JsonObject();
        vm[name] = map;
        if (operation == VmUpdateOperation.Set && value is JsonObject set)
        {
            foreach (var (key, item) in set)
                map[key] = item?.DeepClone();
        }
        else if (operation == VmUpdateOperation.Remove && VmJson.TryGetList(value, out var keys))
        {
            foreach (var key in keys)
                map.Remove(VmJson.JsString(key));
        }
    }

    /// <summary>
    /// When max_physical_memory changes and these are not in the update: max_locked_memory keeps its distance
    /// below max_physical_memory; max_swap is raised to at least max_physical_memory; tmpfs follows
    /// max_physical_memory if it was equal to it. Explicit values are clamped the way create clamps them.
    /// HVM: a ram change moves max_physical_memory by the same amount, keeping at least 256 MiB of overhead.
    /// </summary>
    private static void ApplyMemory(JsonObject oldVm, JsonObject vm, JsonObject update, VmBrands brand)
    {
        long? oldMpm = VmDefaults.Integer(oldVm, "max_physical_memory");
        if ((brand & VmBrands.Hvm) != 0 && update.ContainsKey("ram") && !update.ContainsKey("max_physical_memory")
            && VmDefaults.Integer(vm, "ram") is { } ram)
        {
            long oldOverhead = oldMpm is { } m && VmDefaults.Integer(oldVm, "ram") is { } oldRam ? m - oldRam : 0;
            vm["max_physical_memory"] = Math.Max(ram + oldOverhead, ram + VmDefaults.MinHvmOverhead);
        }
        if (VmDefaults.Integer(vm, "max_physical_memory") is not { } mpm)
            return;
        bool mpmChanged = oldMpm != mpm;

        if (VmDefaults.Integer(vm, "max_locked_memory") is { } locked)
        {
            if (!update.ContainsKey("max_locked_memory") && mpmChanged && oldMpm is { } previous
                && VmDefaults.Integer(oldVm, "max_locked_memory") is { } oldLocked)
                locked = Math.Max(1, oldLocked + (mpm - previous));
            vm["max_locked_memory"] = Math.Min(locked, mpm);
        }
        if (VmDefaults.Integer(vm, "max_swap") is { } swap && swap < mpm)
            vm["max_swap"] = mpm;
        if ((brand & VmBrands.Os) != 0 && VmDefaults.Integer(vm, "tmpfs") is { } tmpfs)
        {
            if (!update.ContainsKey("tmpfs") && mpmChanged && VmDefaults.Integer(oldVm, "tmpfs") == oldMpm)
                tmpfs = mpm;
            vm["tmpfs"] = Math.Min(tmpfs, mpm);
        }
    }
}
