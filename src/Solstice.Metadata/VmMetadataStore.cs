using System.Text.Json.Nodes;
using Solstice.Core.Vm;

namespace Solstice.Metadata;

/// <summary>
/// Applies a vmadm update payload for a guest's PUT or DELETE: <c>{"set_customer_metadata": {k: v}}</c>
/// or <c>{"remove_customer_metadata": [k]}</c> (<c>internal_metadata</c> for <c>*_pw</c> and
/// <c>operator-script</c>), as the SmartOS agent calls <c>VM.update</c>. An exception becomes a
/// FAILURE whose message is the exception's.
/// </summary>
public delegate ValueTask MetadataUpdate(JsonObject payload, CancellationToken ct);

/// <summary>
/// The SmartOS key rules over a VM object (smartos-interfaces.md §4.2-4.3, smartos-live
/// src/vm/lib/metadata/agent.js):
/// <list type="bullet">
/// <item><c>sdc:*</c> is read-only and computed from the VM object (nics, resolvers, tmpfs, routes,
/// operator-script, volumes, tags.&lt;name&gt;, else any property via <c>VM.flatten</c>).</item>
/// <item>Keys ending in <c>_pw</c>, or prefixed <c>&lt;ns&gt;:</c> with ns in
/// <c>internal_metadata_namespaces</c>, are read from internal_metadata; namespaced ones are
/// read-only.</item>
/// <item>Everything else is customer_metadata.</item>
/// </list>
/// Each request reads the current VM object from <paramref name="vm"/>, so updates made by vmadm are
/// seen at once; writes go through <paramref name="update"/>, which persists them.
/// </summary>
public sealed partial class VmMetadataStore(Func<JsonObject> vm, MetadataUpdate update) : IMetadataStore
{
    private const string Customer = "customer_metadata";
    private const string Internal = "internal_metadata";

    public MetadataResult Get(string key)
    {
        var obj = vm();
        if (key.StartsWith("sdc:", StringComparison.Ordinal))
            return GetSdc(obj, key[4..]);
        string which = key.EndsWith("_pw", StringComparison.Ordinal) || InternalNamespace(obj, key) is not null ? Internal : Customer;
        if (!obj.TryGetPropertyValue(which, out var map))
            return MetadataResult.Failed("Zone did not contain " + which);
        return FromJs(Member(map, key));
    }

    /// <summary>customer_metadata keys that are neither <c>*_pw</c> nor namespaced, then internal_metadata keys that are.</summary>
    public IReadOnlyList<string> Keys()
    {
        var obj = vm();
        var keys = new List<string>();
        foreach (string key in JsKeys(obj[Customer] as JsonObject))
        {
            if (!key.EndsWith("_pw", StringComparison.Ordinal) && InternalNamespace(obj, key) is null)
                keys.Add(key);
        }
        foreach (string key in JsKeys(obj[Internal] as JsonObject))
        {
            if (key.EndsWith("_pw", StringComparison.Ordinal) || InternalNamespace(obj, key) is not null)
                keys.Add(key);
        }
        return keys;
    }

    public ValueTask<MetadataResult> PutAsync(string key, string value, CancellationToken ct) => WriteAsync(key, value, ct);

    public ValueTask<MetadataResult> DeleteAsync(string key, CancellationToken ct) => WriteAsync(key, null, ct);

    private async ValueTask<MetadataResult> WriteAsync(string key, string? value, CancellationToken ct)
    {
        if (key.StartsWith("sdc:", StringComparison.Ordinal))
            return MetadataResult.Failed("Cannot update the \"sdc\" Namespace.");
        if (InternalNamespace(vm(), key) is { } ns)
            return MetadataResult.Failed($"Cannot update the \"{ns}\" Namespace.");
        string which = key.EndsWith("_pw", StringComparison.Ordinal) || key == "operator-script" ? Internal : Customer;
        var payload = string.IsNullOrEmpty(value)
            ? new JsonObject { ["remove_" + which] = new JsonArray(key) }
            : new JsonObject { ["set_" + which] = new JsonObject { [key] = value } };
        try
        {
            await update(payload, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return MetadataResult.Failed(ex.Message);
        }
        return MetadataResult.Ok;
    }

    /// <summary>The namespace of <c>ns:key</c> when ns is one of the VM's internal_metadata_namespaces.</summary>
    private static string? InternalNamespace(JsonObject obj, string key)
    {
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || obj["internal_metadata_namespaces"] is not JsonArray namespaces)
            return null;
        var prefix = key.AsSpan(0, colon);
        foreach (var ns in namespaces)
        {
            if (VmJson.AsString(ns) is { } name && prefix.SequenceEqual(name))
                return name;
        }
        return null;
    }

    /// <summary>
    /// What the agent's <c>returnit</c> makes of a value: strings as they are, numbers and booleans
    /// as JavaScript prints them, an array whose <c>String()</c> reads as a number (<c>[]</c>,
    /// <c>[5]</c>) likewise, other objects FAILURE, absent NOTFOUND. A JSON null, which crashes
    /// the agent, is NOTFOUND here.
    /// </summary>
    internal static MetadataResult FromJs(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return MetadataResult.NotFound;
            case JsonObject:
                return MetadataResult.Failed();
            case JsonArray array:
                string text = VmJson.JsString(array);
                return JsText.IsNaN(text) ? MetadataResult.Failed() : MetadataResult.Found(text);
        }
        var kind = node.GetValueKind();
        return kind == System.Text.Json.JsonValueKind.Null ? MetadataResult.NotFound : MetadataResult.Found(VmJson.JsString(node));
    }

    /// <summary><c>container[name]</c> for an object (own property) or an array (canonical index).</summary>
    private static JsonNode? Member(JsonNode? container, string name) => container switch
    {
        JsonObject map => map.TryGetPropertyValue(name, out var value) ? value : null,
        JsonArray array => JsText.IsArrayIndex(name, out uint i) && i < array.Count ? array[(int)i] : null,
        _ => null,
    };

    /// <summary>An object's keys in JavaScript's <c>Object.keys</c> order: array indices ascending, then the rest as inserted.</summary>
    private static IEnumerable<string> JsKeys(JsonObject? map)
    {
        if (map is null)
            return [];
        List<(uint Index, string Key)>? indices = null;
        List<string> names = new(map.Count);
        foreach (var (key, _) in map)
        {
            if (JsText.IsArrayIndex(key, out uint index))
                (indices ??= []).Add((index, key));
            else
                names.Add(key);
        }
        if (indices is null)
            return names;
        indices.Sort((a, b) => a.Index.CompareTo(b.Index));
        return indices.Select(i => i.Key).Concat(names);
    }
}
