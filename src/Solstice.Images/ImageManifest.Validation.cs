using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Solstice.Images;

/// <summary>
/// Manifest validation with node-imgmanifest's rules for imgadm install (validateMinimalManifest):
/// v, uuid, name, version, type and os are required; every other field imgmanifest knows is checked
/// when present; a field it does not know is refused. Solstice adds files[0] (a local install
/// verifies the file), refuses the nil uuid as an image uuid, and accepts zstd compression.
/// </summary>
public sealed partial class ImageManifest
{
    public const int MaxDescriptionLength = 10 * 1024;
    public const int MaxUrlLength = 1024;
    public const int MaxBillingTagLength = 128;
    public const int MaxTagsLength = 100 * 1024;

    public static readonly IReadOnlyList<string> States = ["active", "unactivated", "disabled", "failed", "creating"];
    public static readonly IReadOnlyList<string> Bootroms = ["bios", "uefi"];

    /// <summary>The top-level fields of an IMGAPI v2 manifest (imgmanifest's field list); any other is refused.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "v", "uuid", "urn", "owner", "name", "version", "description", "homepage", "eula", "disabled", "activated",
        "published_at", "state", "public", "type", "os", "origin", "error", "files", "icon", "acl", "requirements",
        "users", "billing_tags", "traits", "tags", "generate_passwords", "inherited_directories", "nic_driver",
        "disk_driver", "cpu_type", "image_size", "channels",
    ];

    /// <summary>Whether text is a uuid as IMGAPI writes it: lower-case 8-4-4-4-12 hex.</summary>
    public static bool IsUuid(string text) => UuidPattern().IsMatch(text);

    /// <summary>Every problem of the manifest, not just the first; empty when it can be installed.</summary>
    public static IReadOnlyList<ManifestError> Validate(JsonNode? node)
    {
        var errors = new List<ManifestError>();
        if (node is not JsonObject json)
        {
            errors.Add(new("(manifest)", "must be a JSON object"));
            return errors;
        }

        if (!json.TryGetPropertyValue("v", out var v) || v is null)
            errors.Add(new("v", "is required"));
        else if (!TryGetInteger(v, out long version))
            errors.Add(new("v", "must be an integer"));
        else if (version != 2)
            errors.Add(new("v", $"unsupported manifest version {version} (only 2)"));

        if (RequiredString(json, "uuid", errors) is { } uuid)
        {
            if (!IsUuid(uuid))
                errors.Add(new("uuid", $"'{uuid}' is not a UUID (lower-case 8-4-4-4-12 hexadecimal digits)"));
            else if (uuid == "00000000-0000-0000-0000-000000000000")
                errors.Add(new("uuid", "the nil UUID cannot name an image"));
        }

        if (RequiredString(json, "name", errors) is { } name)
        {
            if (name.Length > MaxNameLength)
                errors.Add(new("name", $"is longer than {MaxNameLength} characters"));
            else if (!NamePattern().IsMatch(name))
                errors.Add(new("name", $"'{name}' has characters outside A-Z a-z 0-9 . _ / space -"));
        }

        if (RequiredString(json, "version", errors) is { } ver)
        {
            if (ver.Length > MaxVersionLength)
                errors.Add(new("version", $"is longer than {MaxVersionLength} characters"));
            else if (!VersionPattern().IsMatch(ver))
                errors.Add(new("version", $"'{ver}' has characters outside A-Z a-z 0-9 . _ / + -"));
        }

        string? state = OptionalString(json, "state", errors);
        if (state is not null && !States.Contains(state))
            errors.Add(new("state", $"'{state}' is not one of {string.Join(", ", States)}"));

        if (RequiredString(json, "type", errors) is { } type && !Types.Contains(type))
            errors.Add(new("type", $"'{type}' is not one of {string.Join(", ", Types)}"));

        if (RequiredString(json, "os", errors) is { } os && !OperatingSystems.Contains(os))
            errors.Add(new("os", $"'{os}' is not one of {string.Join(", ", OperatingSystems)}"));

        foreach (string field in new[] { "owner", "origin" })
        {
            if (json.TryGetPropertyValue(field, out var value)
                && (value?.GetValueKind() != JsonValueKind.String || !IsUuid(value.GetValue<string>())))
                errors.Add(new(field, "must be a UUID (lower-case 8-4-4-4-12 hexadecimal digits)"));
        }

        ValidateScalars(json, errors);
        ValidateDriverFields(json, String(json, "type"), errors);
        ValidateCollections(json, errors);
        ValidateRequirements(json, errors);
        ValidateFiles(json, errors);

        foreach (var (field, _) in json)
        {
            if (!Fields.Contains(field))
                errors.Add(new(field, "is not a manifest field"));
        }
        return errors;
    }

    private static void ValidateScalars(JsonObject json, List<ManifestError> errors)
    {
        if (json.TryGetPropertyValue("urn", out var urn) && urn?.GetValueKind() != JsonValueKind.String)
            errors.Add(new("urn", "must be a string"));

        if (OptionalString(json, "description", errors) is { Length: > MaxDescriptionLength })
            errors.Add(new("description", $"is longer than {MaxDescriptionLength} characters"));

        foreach (string field in new[] { "homepage", "eula" })
        {
            if (OptionalString(json, field, errors) is not { } url)
                continue;
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                errors.Add(new(field, $"'{url}' is not an http or https URL"));
            else if (url.Length > MaxUrlLength)
                errors.Add(new(field, $"is longer than {MaxUrlLength} characters"));
        }

        bool? activated = null;
        foreach (string field in new[] { "disabled", "activated", "public", "icon", "generate_passwords" })
        {
            if (!json.TryGetPropertyValue(field, out var value))
                continue;
            bool? flag = Boolean(value);
            if (flag is null)
                errors.Add(new(field, $"must be a boolean (true or false), not {Describe(value)}"));
            else if (field == "activated")
                activated = flag;
        }

        if (!json.TryGetPropertyValue("published_at", out var published))
        {
            if (activated == true)
                errors.Add(new("published_at", "is required when activated is true"));
        }
        else if (published?.GetValueKind() != JsonValueKind.String || !IsTimestamp(published.GetValue<string>()))
        {
            errors.Add(new("published_at", $"{Describe(published)} is not a date in YYYY-MM-DDTHH:MM:SS(.SSS)Z format"));
        }

        if (json.TryGetPropertyValue("error", out var error) && error is not JsonObject)
            errors.Add(new("error", "must be an object"));
    }

    // imgmanifest's pattern, then a real calendar date and time (it would take 2024-13-45T99:00:00Z).
    private static bool IsTimestamp(string text) =>
        PublishedAtPattern().IsMatch(text)
        && DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"],
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);

    /// <summary>nic_driver, disk_driver, cpu_type and image_size describe a zvol (a hardware VM's disk) only.</summary>
    private static void ValidateDriverFields(JsonObject json, string? type, List<ManifestError> errors)
    {
        foreach (string field in new[] { "nic_driver", "disk_driver", "cpu_type", "image_size" })
        {
            if (!json.TryGetPropertyValue(field, out var value))
                continue;
            if (type != "zvol" && IsTruthy(value))
                errors.Add(new(field, $"is only valid for an image of type zvol (this one is {type ?? "untyped"})"));
            else if (field == "image_size" ? !TryGetInteger(value, out long size) || size <= 0 : value?.GetValueKind() != JsonValueKind.String)
                errors.Add(new(field, field == "image_size" ? "must be a positive integer (MiB)" : "must be a string"));
        }
    }

    private static void ValidateCollections(JsonObject json, List<ManifestError> errors)
    {
        if (json.TryGetPropertyValue("acl", out var acl))
        {
            if (acl is not JsonArray entries)
                errors.Add(new("acl", "must be an array of UUIDs"));
            else if (entries.ToList().FindIndex(e => !IsUuidNode(e)) is var index and >= 0)
                errors.Add(new("acl", $"item {index} is not a UUID: {Describe(entries[index])}"));
        }

        if (json.TryGetPropertyValue("users", out var users))
        {
            if (users is not JsonArray list)
                errors.Add(new("users", "must be an array"));
            else
                foreach (var user in list.Where(u => u is not JsonObject { Count: 1 } o || !o.ContainsKey("name")))
                    errors.Add(new("users", $"entry {Describe(user)} must be an object with only a \"name\""));
        }

        if (json.TryGetPropertyValue("billing_tags", out var billing))
        {
            if (billing is not JsonArray tags)
                errors.Add(new("billing_tags", "must be an array of strings"));
            else
                foreach (var tag in tags.Where(t => t?.GetValueKind() != JsonValueKind.String || t.GetValue<string>().Length > MaxBillingTagLength))
                    errors.Add(new("billing_tags", $"entry {Describe(tag)} must be a string of at most {MaxBillingTagLength} characters"));
        }

        if (json.TryGetPropertyValue("traits", out var traits))
        {
            if (traits is not JsonObject values)
                errors.Add(new("traits", "must be an object"));
            else
                foreach (var (key, value) in values.Where(p => p.Value is not JsonArray
                    && p.Value?.GetValueKind() is not (JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)))
                    errors.Add(new("traits", $"'{key}' must be a string, a boolean or an array"));
        }

        if (json.TryGetPropertyValue("tags", out var tagsNode))
        {
            if (tagsNode is not JsonObject)
                errors.Add(new("tags", "must be an object"));
            else if (tagsNode.ToJsonString() is { Length: > MaxTagsLength } text)
                errors.Add(new("tags", $"is {text.Length} characters of JSON (at most {MaxTagsLength})"));
        }

        if (json.TryGetPropertyValue("inherited_directories", out var inherited))
        {
            if (String(json, "type") != "zone-dataset")
                errors.Add(new("inherited_directories", "is only valid for an image of type zone-dataset"));
            else if (inherited is not JsonArray dirs || dirs.Any(d => d?.GetValueKind() != JsonValueKind.String))
                errors.Add(new("inherited_directories", "must be an array of strings"));
        }

        // imgmanifest checks channels only against an IMGAPI's channel list; here they are kept as given.
        if (json.TryGetPropertyValue("channels", out var channels)
            && (channels is not JsonArray names || names.Any(c => c?.GetValueKind() != JsonValueKind.String)))
            errors.Add(new("channels", "must be an array of strings"));
    }

    private static void ValidateRequirements(JsonObject json, List<ManifestError> errors)
    {
        if (!json.TryGetPropertyValue("requirements", out var node))
            return;
        if (node is not JsonObject reqs)
        {
            errors.Add(new("requirements", "must be an object"));
            return;
        }
        if (reqs.TryGetPropertyValue("networks", out var networks) && IsTruthy(networks))
        {
            if (networks is not JsonArray list)
                errors.Add(new("requirements.networks", "must be an array"));
            else
                foreach (var network in list.Where(n => n is not JsonObject { Count: 2 } o || !o.ContainsKey("name") || !o.ContainsKey("description")))
                    errors.Add(new("requirements.networks", $"entry {Describe(network)} must be an object with only \"name\" and \"description\""));
        }
        string? brand = null;
        if (reqs.TryGetPropertyValue("brand", out var brandNode) && IsTruthy(brandNode))
        {
            if (brandNode!.GetValueKind() == JsonValueKind.String)
                brand = brandNode.GetValue<string>();
            else
                errors.Add(new("requirements.brand", $"must be a string, not {Describe(brandNode)}"));
        }
        if (reqs.TryGetPropertyValue("ssh_key", out var sshKey) && IsTruthy(sshKey) && sshKey!.GetValueKind() != JsonValueKind.True)
            errors.Add(new("requirements.ssh_key", $"must be a boolean, not {Describe(sshKey)}"));

        long? minRam = Ram(reqs, "min_ram", errors), maxRam = Ram(reqs, "max_ram", errors);
        if (minRam is { } min && maxRam is { } max && max < min)
            errors.Add(new("requirements.max_ram", $"must be at least min_ram ({min}), is {max}"));

        foreach (string field in new[] { "min_platform", "max_platform" })
        {
            if (!reqs.TryGetPropertyValue(field, out var platform) || !IsTruthy(platform))
                continue;
            if (platform is not JsonObject { Count: > 0 } versions)
            {
                errors.Add(new($"requirements.{field}", "must be an object of SDC version to platform (YYYYMMDDTHHMMSSZ)"));
                continue;
            }
            foreach (var (sdc, stamp) in versions)
            {
                if (stamp?.GetValueKind() != JsonValueKind.String || !IsPlatformVersion(stamp.GetValue<string>()))
                    errors.Add(new($"requirements.{field}", $"'{sdc}': {Describe(stamp)} is not a platform version (YYYYMMDDTHHMMSSZ)"));
            }
        }

        if (reqs.TryGetPropertyValue("bootrom", out var bootrom) && IsTruthy(bootrom))
        {
            if (brand is null)
                errors.Add(new("requirements.bootrom", "needs requirements.brand set to \"bhyve\""));
            else if (brand != "bhyve")
                errors.Add(new("requirements.bootrom", $"is not supported with brand '{brand}' (only bhyve)"));
            else if (bootrom!.GetValueKind() != JsonValueKind.String || !Bootroms.Contains(bootrom.GetValue<string>()))
                errors.Add(new("requirements.bootrom", $"{Describe(bootrom)} is not one of {string.Join(", ", Bootroms)}"));
        }

        string[] known = ["networks", "brand", "ssh_key", "min_ram", "max_ram", "min_platform", "max_platform", "bootrom"];
        foreach (var (field, _) in reqs)
        {
            if (!known.Contains(field))
                errors.Add(new($"requirements.{field}", "is not a supported requirement"));
        }
    }

    private static long? Ram(JsonObject reqs, string field, List<ManifestError> errors)
    {
        if (!reqs.TryGetPropertyValue(field, out var value) || !IsTruthy(value))
            return null;
        if (TryGetInteger(value, out long mib) && mib > 0)
            return mib;
        errors.Add(new($"requirements.{field}", $"must be a positive integer (MiB), not {Describe(value)}"));
        return null;
    }

    // imgmanifest's validPlatformVersion: YYYYMMDDTHHMMSSZ from 2012 on.
    private static bool IsPlatformVersion(string text) =>
        PlatformPattern().IsMatch(text)
        && DateTime.TryParseExact(text, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.None, out var when)
        && when.Year >= 2012;

    private static void ValidateFiles(JsonObject json, List<ManifestError> errors)
    {
        if (!json.TryGetPropertyValue("files", out var files) || files is null)
        {
            errors.Add(new("files", "is required (one entry describing the image file)"));
            return;
        }
        if (files is not JsonArray array)
        {
            errors.Add(new("files", "must be an array"));
            return;
        }
        if (array.Count != 1)
        {
            errors.Add(new("files", $"must have exactly one entry, has {array.Count}"));
            if (array.Count == 0)
                return;
        }
        if (array[0] is not JsonObject file)
        {
            errors.Add(new("files[0]", "must be an object"));
            return;
        }
        if (RequiredString(file, "sha1", errors, "files[0].") is { } sha1 && !Sha1Pattern().IsMatch(sha1))
            errors.Add(new("files[0].sha1", $"'{sha1}' is not 40 hexadecimal digits"));
        if (!file.TryGetPropertyValue("size", out var size) || size is null)
            errors.Add(new("files[0].size", "is required"));
        else if (!TryGetInteger(size, out long bytes) || bytes <= 0)
            errors.Add(new("files[0].size", "must be a positive integer"));
        if (RequiredString(file, "compression", errors, "files[0].") is { } compression && !Compressions.Contains(compression))
            errors.Add(new("files[0].compression", $"'{compression}' is not one of {string.Join(", ", Compressions)}"));
    }

    private static string? OptionalString(JsonObject json, string field, List<ManifestError> errors)
    {
        if (!json.TryGetPropertyValue(field, out var node))
            return null;
        if (node?.GetValueKind() == JsonValueKind.String)
            return node.GetValue<string>();
        errors.Add(new(field, $"must be a string, not {Describe(node)}"));
        return null;
    }

    /// <summary>imgmanifest's boolFromString: true, false, "true" or "false".</summary>
    private static bool? Boolean(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => node.GetValue<string>() switch { "true" => true, "false" => false, _ => null },
        _ => null,
    };

    /// <summary>JavaScript truthiness, which decides when imgmanifest looks at an optional field.</summary>
    private static bool IsTruthy(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.False => false,
        JsonValueKind.String => node.GetValue<string>().Length > 0,
        JsonValueKind.Number => node.ToJsonString() is not ("0" or "-0" or "0.0"),
        _ => true,
    };

    private static bool IsUuidNode(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String && IsUuid(node.GetValue<string>());

    /// <summary>A value as it is written in JSON, cut short, for messages.</summary>
    private static string Describe(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "null";
        return text.Length > 60 ? text[..57] + "..." : text;
    }

    [GeneratedRegex("^[A-Za-z0-9._/+-]+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")]
    private static partial Regex PublishedAtPattern();

    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex PlatformPattern();
}
