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

/// <summary>One problem: the property path (<c>ram</c>, <c>nics.0.mac</c>, <c>add_nics.1.ips</c>) and why.</summary>
public sealed record VmValidationError(VmValidationCategory Category, string Property, string Reason);

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
    /// The object <c>vmadm validate</c> prints for an invalid payload: <c>bad_brand</c> (a string) and the
    /// <c>bad_properties</c>, <c>bad_values</c>, <c>missing_properties</c> name arrays, each only when non-empty.
    /// </summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (BadBrand is { } brand)
            json["bad_brand"] = brand;
        AddArray(json, "bad_properties", BadProperties);
        AddArray(json, "bad_values", BadValues);
        AddArray(json, "missing_properties", MissingProperties);
        return json;
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

    private static void AddArray(JsonObject json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
            return;
        var array = new JsonArray();
        foreach (string value in values)
            array.Add((JsonNode)JsonValue.Create(value));
        json[name] = array;
    }
}

/// <summary>A payload failed validation; <see cref="Result"/> holds every problem.</summary>
public sealed class VmValidationException(VmValidationResult result)
    : SolsticeException(ErrorCode.InvalidArgument, result.Message)
{
    public VmValidationResult Result { get; } = result;
}
