using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Solstice.Core.Vm;

/// <summary>
/// One <c>key=value</c> lookup argument (smartos-interfaces.md §1.3): <c>String(actual) === value</c>, or with
/// <c>key=~re</c> a case-insensitive unanchored regular expression. <c>nics.*.X</c> and <c>disks.*.X</c> match
/// when any element matches; literal MACs compare zero-padded and lower-case. The regex is compiled once.
/// </summary>
public sealed class VmFilter
{
    private readonly string[] _wildcardPath;
    private readonly Regex? _regex;
    private readonly bool _isMac;

    private VmFilter(string key, string value, Regex? regex)
    {
        Key = key;
        Value = value;
        _regex = regex;
        string[] parts = key.Split('.', 3);
        _wildcardPath = parts.Length == 3 && parts[1] == "*" ? parts : [];
        _isMac = parts.Length == 3 && parts[0] == "nics" && parts[2] == "mac";
        if (_isMac && regex is null)
            Value = VmValueRules.NormalizeMac(value);
    }

    public string Key { get; }

    /// <summary>The value to compare, or the regex source (without '~').</summary>
    public string Value { get; }

    public bool IsRegex => _regex is not null;

    /// <summary>
    /// Parses <c>key=value</c> (split at the first '='). Throws <see cref="SolsticeException"/>
    /// (<see cref="ErrorCode.InvalidArgument"/>) with <c>Invalid filter key: "k"</c> / <c>Invalid lookup key: "k"</c>
    /// when the key is not one vmadm accepts, or when the regex does not compile.
    /// </summary>
    public static VmFilter Parse(string argument, VmKeyContext context)
    {
        ArgumentNullException.ThrowIfNull(argument);
        int eq = argument.IndexOf('=', StringComparison.Ordinal);
        string key = eq < 0 ? argument : argument[..eq];
        if (eq < 0 || !VmListing.IsValidFilterKey(key))
        {
            string kind = context == VmKeyContext.List ? "filter" : "lookup";
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid {kind} key: \"{key}\"");
        }
        string value = argument[(eq + 1)..];
        if (!value.StartsWith('~'))
            return new VmFilter(key, value, null);
        string pattern = value[1..];
        return new VmFilter(key, pattern, CompileJsRegex(pattern, key));
    }

    public bool Matches(JsonObject vm)
    {
        if (_wildcardPath.Length == 0)
            return Test(VmListing.Resolve(vm, Key));
        if (vm[_wildcardPath[0]] is not JsonArray array)
            return false;
        foreach (var element in array)
        {
            if (element is JsonObject obj && obj.TryGetPropertyValue(_wildcardPath[2], out var value) && Test(value))
                return true;
        }
        return false;
    }

    private bool Test(JsonNode? actual)
    {
        if (actual is null)
            return false;
        string text = VmJson.JsString(actual);
        if (_regex is not null)
            return _regex.IsMatch(text);
        return _isMac ? VmValueRules.NormalizeMac(text) == Value : text == Value;
    }

    /// <summary>ECMAScript semantics where .NET supports them; otherwise .NET's dialect (lookbehind and similar).</summary>
    private static Regex CompileJsRegex(string pattern, string key)
    {
        try
        {
            return new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.IgnoreCase);
        }
        catch (ArgumentException)
        {
        }
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"Invalid regular expression for \"{key}\": {ex.Message}", ex);
        }
    }
}
