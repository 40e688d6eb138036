using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>The problem categories of <c>vmadm validate</c> (smartos-interfaces.md §1.5).</summary>
public enum VmValidationCategory
{
    /// <summary>bad_brand: the brand is unknown.</summary>
    BadBrand,

    /// <summary>bad_properties: unknown, read-only, or not allowed for this action and brand.</summary>
    BadProperty,

    /// <summary>bad_values: wrong type, out of range, or malformed.</summary>
    BadValue,

    /// <summary>missing_properties: required for this brand but absent.</summary>
    MissingProperty,
}

/// <summary>
/// One problem: the exact property path (<c>ram</c>, <c>nics.0.mac</c>, <c>add_nics.1.ips.0</c>) and why.
/// <see cref="Key"/> is the payload's top-level key, <see cref="Index"/> and <see cref="Sub"/> the element and
/// its property when the problem is inside an object array, so a bad property can be removed exactly.
/// </summary>
public sealed record VmValidationError(VmValidationCategory Category, string Property, string Reason)
{
    public string Key { get; init; } = Property;

    public int? Index { get; init; }

    public string? Sub { get; init; }

    /// <summary>
    /// The name vmadm validate prints (VM.js validate): the top-level key, or <c>nics.*.mtu</c> for a property
    /// of an element (add_nics and update_nics elements are named as nics), never an index or a map key.
    /// </summary>
    public string Name => Exact ? Property : Sub is null ? Key : $"{ArrayName(Key)}.*.{Sub}";

    /// <summary>
    /// VM.js names this problem by its exact path (<c>disks.0.image_size</c>, from validateDiskSource) instead of
    /// <c>disks.*.image_size</c>.
    /// </summary>
    public bool Exact { get; init; }

    private static string ArrayName(string key) =>
        key.StartsWith("add_", StringComparison.Ordinal) ? key["add_".Length..]
        : key.StartsWith("update_", StringComparison.Ordinal) ? key["update_".Length..]
        : key;
}

/// <summary>Every problem found in one payload, reported at once as vmadm does.</summary>
public sealed class VmValidationResult
{
    public VmValidationResult(VmAction action, string brand, IReadOnlyList<VmValidationError> errors)
    {
        Action = action;
        Brand = brand;
        Errors = errors;
    }

    public VmAction Action { get; }

    /// <summary>The brand the payload was checked against (the payload's own brand on create).</summary>
    public string Brand { get; }

    public IReadOnlyList<VmValidationError> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    public string? BadBrand => Errors.FirstOrDefault(e => e.Category == VmValidationCategory.BadBrand)?.Property;

    public IReadOnlyList<string> BadProperties => Names(VmValidationCategory.BadProperty);

    public IReadOnlyList<string> BadValues => Names(VmValidationCategory.BadValue);

    public IReadOnlyList<string> MissingProperties => Names(VmValidationCategory.MissingProperty);

    /// <summary>
    /// The object <c>vmadm validate</c> prints for an invalid payload, as VM.js builds it: <c>{"bad_brand": b}</c>
    /// alone for an unknown brand, else all three of <c>bad_values</c>, <c>bad_properties</c> and
    /// <c>missing_properties</c> (empty ones too), with SmartOS's names (<see cref="VmValidationError.Name"/>).
    /// </summary>
    public JsonObject ToJson()
    {
        if (BadBrand is { } brand)
            return new JsonObject { ["bad_brand"] = brand };
        var json = new JsonObject();
        AddArray(json, "bad_values", SmartOsNames(VmValidationCategory.BadValue), always: true);
        AddArray(json, "bad_properties", SmartOsNames(VmValidationCategory.BadProperty), always: true);
        AddArray(json, "missing_properties", SmartOsNames(VmValidationCategory.MissingProperty), always: true);
        return json;
    }

    /// <summary>Solstice's detailed form: exact paths (<c>nics.0.mac</c>), only the non-empty categories.</summary>
    public JsonObject ToDetailedJson()
    {
        var json = new JsonObject();
        if (BadBrand is { } brand)
            json["bad_brand"] = brand;
        AddArray(json, "bad_properties", BadProperties);
        AddArray(json, "bad_values", BadValues);
        AddArray(json, "missing_properties", MissingProperties);
        return json;
    }

    /// <summary>Whether create or update must fail: an unknown brand, a bad value or a missing property.</summary>
    public bool IsFatal => Errors.Any(e => e.Category != VmValidationCategory.BadProperty);

    /// <summary>The properties create and update drop with a warning instead of failing (VM.js normalizePayload).</summary>
    public IReadOnlyList<VmValidationError> DroppedProperties => [.. Errors.Where(e => e.Category == VmValidationCategory.BadProperty)];

    /// <summary>
    /// The error vmadm create and update print, as VM.js words it: <c>Invalid brand while validating payload: "x"</c>,
    /// else <c>Invalid value(s) for: alias,nics.*.mtu</c>, else <c>Missing required properties: image_uuid</c>; then one
    /// line per problem with its exact path and the reason.
    /// </summary>
    public string FailureMessage
    {
        get
        {
            if (BadBrand is { } brand)
                return $"Invalid brand while validating payload: \"{brand}\"";
            var values = SmartOsNames(VmValidationCategory.BadValue);
            var category = values.Count > 0 ? VmValidationCategory.BadValue : VmValidationCategory.MissingProperty;
            var sb = new StringBuilder(values.Count > 0
                ? "Invalid value(s) for: " + string.Join(',', values)
                : "Missing required properties: " + string.Join(',', SmartOsNames(VmValidationCategory.MissingProperty)));
            foreach (var error in Errors.Where(e => e.Category == category))
                sb.Append("\n  ").Append(error.Property).Append(": ").Append(error.Reason);
            return sb.ToString();
        }
    }

    /// <summary>The warning printed for each dropped property, after VM.js's log line.</summary>
    public IEnumerable<string> Warnings => DroppedProperties.Select(e =>
        $"Warning, invalid {(Action == VmAction.Create ? "create" : "update")} property: [{e.Property}] removing from payload ({e.Reason}).");

    /// <summary>
    /// A copy of <paramref name="payload"/> without the dropped properties: top-level keys, or the one key of
    /// the one element of an object array named by the error.
    /// </summary>
    public JsonObject WithoutDroppedProperties(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var copy = payload.DeepClone().AsObject();
        foreach (var error in DroppedProperties)
        {
            if (error.Index is null || error.Sub is null)
                copy.Remove(error.Key);
            else if (copy[error.Key] is JsonArray array && error.Index < array.Count && array[error.Index.Value] is JsonObject element)
                element.Remove(error.Sub);
        }
        return copy;
    }

    /// <summary>
    /// <c>VALID 'create' payload for joyent brand VMs.</c> when valid, else the same prefix with "Invalid"
    /// followed by each problem and its reason.
    /// </summary>
    public string Message
    {
        get
        {
            string action = Action == VmAction.Create ? "create" : "update";
            if (IsValid)
                return $"VALID '{action}' payload for {Brand} brand VMs.";
            var sb = new StringBuilder($"Invalid '{action}' payload for {Brand} brand VMs: ");
            string separator = "";
            foreach (var (category, title) in s_titles)
            {
                var errors = Errors.Where(e => e.Category == category).ToList();
                if (errors.Count == 0)
                    continue;
                sb.Append(separator).Append(title).Append(": ");
                sb.AppendJoin(", ", errors.Select(e => category == VmValidationCategory.BadBrand
                    ? $"\"{e.Property}\""
                    : $"{e.Property} ({e.Reason})"));
                separator = "; ";
            }
            return sb.ToString();
        }
    }

    public override string ToString() => Message;

    private static readonly (VmValidationCategory, string)[] s_titles =
    [
        (VmValidationCategory.BadBrand, "bad brand"),
        (VmValidationCategory.BadProperty, "bad properties"),
        (VmValidationCategory.BadValue, "bad values"),
        (VmValidationCategory.MissingProperty, "missing properties"),
    ];

    private List<string> Names(VmValidationCategory category) =>
        [.. Errors.Where(e => e.Category == category).Select(e => e.Property).Distinct(StringComparer.Ordinal)];

    private List<string> SmartOsNames(VmValidationCategory category) =>
        [.. Errors.Where(e => e.Category == category).Select(e => e.Name).Distinct(StringComparer.Ordinal)];

    private static void AddArray(JsonObject json, string name, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always)
            return;
        var array = new JsonArray();
        foreach (string value in values)
            array.Add((JsonNode)JsonValue.Create(value));
        json[name] = array;
    }
}

/// <summary>A payload failed validation; <see cref="Result"/> holds every problem.</summary>
public sealed class VmValidationException(VmValidationResult result)
    : SolsticeException(ErrorCode.InvalidArgument, result.IsFatal ? result.FailureMessage : result.Message)
{
    public VmValidationResult Result { get; } = result;
}

/// <summary>
/// What only the node knows, for the checks VM.js validate makes against the host: whether a pool is imported,
/// and what is wrong with an image for a brand (null when it is installed and of a usable type).
/// </summary>
public sealed record VmValidationContext(Func<string, bool>? PoolExists, Func<string, string, string?>? ImageProblem);
