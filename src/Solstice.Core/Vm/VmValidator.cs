using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// <c>vmadm validate</c>: checks a create or update payload against the property table and value rules and
/// reports every problem at once (smartos-interfaces.md §1.5). Pure; checks needing the host (image present,
/// nic tag exists, uuid unique) belong to the caller.
/// </summary>
public static partial class VmValidator
{
    /// <summary>
    /// Validates <paramref name="payload"/>. On create the brand comes from the payload (else
    /// <paramref name="brand"/>, else joyent); on update <paramref name="brand"/> is the existing VM's brand.
    /// </summary>
    public static VmValidationResult Validate(JsonObject payload, VmAction action, string? brand = null) =>
        Validate(payload, action, brand, null);

    /// <summary>
    /// As <see cref="Validate(JsonObject, VmAction, string?)"/>, and with <paramref name="node"/> also checks what only
    /// the node knows, as VM.js validate does: <c>zpool</c> names an imported pool and <c>image_uuid</c> an installed
    /// image of a type the brand can use (both bad values otherwise).
    /// </summary>
    public static VmValidationResult Validate(JsonObject payload, VmAction action, string? brand, VmValidationContext? node)
    {
        ArgumentNullException.ThrowIfNull(payload);
        StrictJson.EnsureReadable(payload, "payload");
        var check = StartCheck(payload, action, brand);
        return Finish(check, payload, action, node);
    }

    private static void CheckNode(Check check, JsonObject payload, VmValidationContext node)
    {
        if (VmJson.AsString(payload["zpool"]) is { } pool && VmValueRules.IsZpoolName(pool) && node.PoolExists is { } exists && !exists(pool))
        {
            check.At("zpool");
            check.BadValue("zpool", $"no pool named '{pool}' is imported on this node");
        }
        if (check.Action == VmAction.Create && VmJson.AsString(payload["image_uuid"]) is { } image && VmValueRules.IsUuid(image)
            && node.ImageProblem?.Invoke(image, check.BrandName) is { } problem)
        {
            check.At("image_uuid");
            check.BadValue("image_uuid", problem);
        }
    }

    private static VmValidationResult Finish(Check check, JsonObject payload, VmAction action, VmValidationContext? node)
    {
        foreach (var (key, value) in payload)
        {
            check.At(key);
            if (VmProperties.TryGet(key, out var property))
                CheckDirect(check, property, value);
            else if (VmProperties.TryGetUpdateOperation(key, out property, out var operation))
            {
                if (action == VmAction.Update)
                    CheckOperation(check, property, operation, key, value);
                else
                    check.BadProperty(key, "only valid in update payloads");
            }
            else
                check.BadProperty(key, "unknown property");
        }
        if (action == VmAction.Create && check.BrandKnown)
        {
            foreach (var property in VmProperties.All)
            {
                if ((property.RequiredFor & check.Brand) != 0 && payload[property.Name] is null)
                {
                    check.At(property.Name);
                    check.Missing(property.Name);
                }
            }
        }
        if (check.BrandKnown)
            CheckDiskSources(check, payload);
        if (check.BrandKnown && node is not null)
            CheckNode(check, payload, node);
        return new VmValidationResult(action, check.BrandName, check.Errors);
    }

    /// <summary>Validates and throws <see cref="VmValidationException"/> when the payload is invalid.</summary>
    public static void ThrowIfInvalid(JsonObject payload, VmAction action, string? brand = null)
    {
        var result = Validate(payload, action, brand);
        if (!result.IsValid)
            throw new VmValidationException(result);
    }

    /// <summary>The brand a create payload asks for: its <c>brand</c> string, else joyent.</summary>
    public static string BrandOf(JsonObject payload) => VmJson.AsString(payload["brand"]) ?? VmBrand.Default;

    private static Check StartCheck(JsonObject payload, VmAction action, string? brand)
    {
        string? name = brand;
        string? bad = null;
        if (action == VmAction.Create && payload.TryGetPropertyValue("brand", out var node) && node is not null)
        {
            name = VmJson.AsString(node);
            if (name is null)
                bad = VmJson.JsString(node);
        }
        name ??= bad is null ? VmBrand.Default : bad;
        var flag = VmBrand.Parse(name);
        var check = new Check(action, flag, name);
        check.At("brand");
        if (flag == VmBrands.None)
            check.Add(VmValidationCategory.BadBrand, bad ?? name, "unknown brand");
        return check;
    }

    private static void CheckDirect(Check check, VmProperty property, JsonNode? value)
    {
        string name = property.Name;
        if (property.ReadOnly)
        {
            check.BadProperty(name, "read-only");
            return;
        }
        if (check.Action == VmAction.Create)
        {
            if ((property.Create & check.Brand) == 0)
                check.BadProperty(name, $"not allowed for {check.BrandName} VMs");
            else if (value is not null && name != "brand")
                CheckValue(check, property, name, value, Scope.Top);
            return;
        }
        string? reason = property.UpdateMode switch
        {
            VmUpdateMode.None => "cannot be updated",
            VmUpdateMode.SetRemove => $"cannot be updated directly, use set_{name} and remove_{name}",
            VmUpdateMode.AddUpdateRemove => $"cannot be updated directly, use add_{name}, update_{name} and remove_{name}",
            _ when (property.Update & check.Brand) == 0 => $"not allowed for {check.BrandName} VMs",
            _ => null,
        };
        if (reason is not null)
            check.BadProperty(name, reason);
        else if (value is not null)
            CheckValue(check, property, name, value, Scope.Top);
    }

    private static void CheckOperation(Check check, VmProperty property, VmUpdateOperation operation, string key, JsonNode? value)
    {
        if ((property.Update & check.Brand) == 0)
        {
            check.BadProperty(key, $"not allowed for {check.BrandName} VMs");
            return;
        }
        switch (operation)
        {
            case VmUpdateOperation.Set:
                CheckFlatObject(check, property, key, value);
                break;
            case VmUpdateOperation.Remove:
                CheckRemoveKeys(check, property, key, value);
                break;
            case VmUpdateOperation.Add:
                CheckElements(check, property, key, value, ElementMode.Add);
                break;
            case VmUpdateOperation.Update:
                CheckElements(check, property, key, value, ElementMode.Update);
                break;
        }
    }

    private static void CheckRemoveKeys(Check check, VmProperty property, string key, JsonNode? value)
    {
        if (!VmJson.TryGetList(value, out var items))
        {
            check.BadValue(key, "must be an array or a comma-separated string");
            return;
        }
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{key}.{i}";
            string? item = VmJson.AsString(items[i]);
            if (item is null)
                check.BadValue(path, "must be a string");
            else if (property.Key == "mac" && !VmValueRules.IsMac(item))
                check.BadValue(path, "must be a MAC address");
            else if (property.Key == "target" && !VmValueRules.IsAbsolutePath(item))
                check.BadValue(path, "must be an absolute path");
        }
    }

    private enum Scope
    {
        Top,
        Nic,
        Filesystem,
        Disk,
        Element,
    }

    private enum ElementMode
    {
        Create,
        Add,
        Update,
    }

    private sealed class Check(VmAction action, VmBrands brand, string brandName)
    {
        public List<VmValidationError> Errors { get; } = [];

        public VmAction Action { get; } = action;

        public string BrandName { get; } = brandName;

        public bool BrandKnown { get; } = brand != VmBrands.None;

        /// <summary>With an unknown brand every brand-specific property is tolerated, so the other checks still run.</summary>
        public VmBrands Brand { get; } = brand == VmBrands.None ? VmBrands.All : brand;

        /// <summary>Where the next problem is: the payload key, and the element and its property inside an object array.</summary>
        public string Key { get; private set; } = "";

        public int? Index { get; set; }

        public string? Sub { get; set; }

        public void At(string key)
        {
            Key = key;
            Index = null;
            Sub = null;
        }

        public void Add(VmValidationCategory category, string path, string reason, bool exact = false) =>
            Errors.Add(new VmValidationError(category, path, reason)
            {
                Key = Key.Length > 0 ? Key : path, Index = Index, Sub = Sub, Exact = exact,
            });

        public void BadProperty(string path, string reason) => Add(VmValidationCategory.BadProperty, path, reason);

        public void BadValue(string path, string reason) => Add(VmValidationCategory.BadValue, path, reason);

        public void Missing(string path) => Add(VmValidationCategory.MissingProperty, path, "required");
    }
}
