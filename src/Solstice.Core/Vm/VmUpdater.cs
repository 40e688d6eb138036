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
            bool unset = coerced is null || IsBlank(property, coerced)
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

    /// <summary>VM.js: an empty (or blank) string unsets a string or integer property.</summary>
    internal static bool IsBlank(VmProperty property, JsonNode? value) =>
        property.Type is VmPropertyType.String or VmPropertyType.Integer && VmJson.AsString(value) is { } text && string.IsNullOrWhiteSpace(text);

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
    /// VM.js fixPayloadMemory on update. A ram change on an HVM VM sets max_physical_memory to ram plus the brand's
    /// overhead (kvm 1024, bhyve 1280); on an OS VM ram is max_physical_memory. When max_physical_memory changes
    /// and the update does not name them: max_locked_memory keeps its distance below it; max_swap keeps its distance
    /// above it (except a max_swap of exactly 256, the old floor, which follows it), never below 256; tmpfs keeps its
    /// ratio to it (rounded); max_shm_memory is set only if the VM lacked one. Then HVM limits are raised to ram + 256,
    /// max_locked_memory is clamped to max_physical_memory, max_swap raised to it and an explicit tmpfs clamped to it.
    /// </summary>
    private static void ApplyMemory(JsonObject oldVm, JsonObject vm, JsonObject update, VmBrands brand)
    {
        bool hvm = (brand & VmBrands.Hvm) != 0;
        long? oldMpm = VmDefaults.Integer(oldVm, "max_physical_memory");
        long? mpm = null;
        if (update.ContainsKey("max_physical_memory") || (!hvm && update.ContainsKey("ram")))
            mpm = VmDefaults.Integer(vm, "max_physical_memory");
        else if (hvm && update.ContainsKey("ram") && VmDefaults.Integer(vm, "ram") is { } guest)
            mpm = guest + (brand == VmBrands.Kvm ? VmDefaults.KvmOverhead : VmDefaults.BhyveOverhead);

        if (mpm is { } physical)
        {
            vm["max_physical_memory"] = physical;
            if (!update.ContainsKey("max_locked_memory"))
            {
                vm["max_locked_memory"] = oldMpm is { } om && VmDefaults.Integer(oldVm, "max_locked_memory") is { } oldLocked
                    ? Math.Max(0, physical - (om - oldLocked))
                    : physical;
            }
            if (!update.ContainsKey("max_swap"))
            {
                long swap = physical;
                if (oldMpm is { } om && VmDefaults.Integer(oldVm, "max_swap") is { } oldSwap
                    && !(oldSwap == VmDefaults.MinSwap && physical >= VmDefaults.MinSwap))
                    swap = physical + (oldSwap - om);
                vm["max_swap"] = Math.Max(swap, VmDefaults.MinSwap);
            }
            if ((brand & VmBrands.Os) != 0 && !update.ContainsKey("tmpfs"))
            {
                vm["tmpfs"] = oldMpm is { } om && om > 0 && VmDefaults.Integer(oldVm, "tmpfs") is { } oldTmpfs
                    ? (long)Math.Round((double)oldTmpfs / om * physical, MidpointRounding.AwayFromZero)
                    : physical;
            }
            if (oldVm["max_shm_memory"] is null && !update.ContainsKey("max_shm_memory"))
                vm["max_shm_memory"] = physical;
        }

        if (hvm && VmDefaults.Integer(vm, "ram") is { } ram)
        {
            long floor = ram + VmDefaults.MinHvmOverhead;
            if (VmDefaults.Integer(vm, "max_physical_memory") is { } current && current < floor)
                vm["max_physical_memory"] = floor;
            if (VmDefaults.Integer(vm, "max_locked_memory") is { } locked && locked < floor)
                vm["max_locked_memory"] = floor;
        }
        if (VmDefaults.Integer(vm, "max_physical_memory") is not { } limit)
            return;
        if (VmDefaults.Integer(vm, "max_locked_memory") is { } lockedNow && lockedNow > limit)
            vm["max_locked_memory"] = limit;
        if (VmDefaults.Integer(vm, "max_swap") is { } swapNow && swapNow < limit)
            vm["max_swap"] = limit;
        if ((brand & VmBrands.Os) != 0 && VmDefaults.Integer(vm, "tmpfs") is { } tmpfsNow && tmpfsNow > limit)
            vm["tmpfs"] = limit;
    }
}
