using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Metadata;

/// <summary>How much metadata a VM holds, as <see cref="MetadataLimits.MaxTotalBytes"/> counts it.</summary>
public static class MetadataSize
{
    /// <summary>The maps the cap covers (what mdata-put and vmadm's set_*_metadata write).</summary>
    public static readonly string[] Properties = ["customer_metadata", "internal_metadata"];

    /// <summary>
    /// The UTF-8 bytes of every key and value of customer_metadata and internal_metadata; a value
    /// that is not a string counts as its JSON text.
    /// </summary>
    public static long Of(JsonObject vm)
    {
        long total = 0;
        foreach (string name in Properties)
        {
            if (vm[name] is not JsonObject map)
                continue;
            foreach (var (key, value) in map)
                total += Entry(key, value);
        }
        return total;
    }

    private static long Entry(string key, JsonNode? value)
    {
        long size = Encoding.UTF8.GetByteCount(key);
        if (value is JsonValue text && text.TryGetValue(out string? s))
            size += Encoding.UTF8.GetByteCount(s);
        else if (value is not null)
            size += Encoding.UTF8.GetByteCount(value.ToJsonString());
        return size;
    }

    /// <summary>
    /// The check of <see cref="Check"/> made on a vmadm update payload before it is applied, so a
    /// refused PUT costs no copy of the VM: set_customer_metadata and set_internal_metadata replace
    /// or add keys. Payloads that also remove keys are left to the check after applying them.
    /// </summary>
    public static void CheckPayload(JsonObject vm, JsonObject payload, long limit)
    {
        long size = Of(vm);
        long projected = size;
        foreach (string name in Properties)
        {
            if (payload.ContainsKey("remove_" + name))
                return;
            if (payload["set_" + name] is not JsonObject set)
                continue;
            var map = vm[name] as JsonObject;
            foreach (var (key, value) in set)
            {
                projected += Entry(key, value);
                if (map is not null && map.TryGetPropertyValue(key, out var old))
                    projected -= Entry(key, old);
            }
        }
        if (projected > limit && projected > size)
            throw TooLarge(projected, limit);
    }

    /// <summary>
    /// Throws when <paramref name="after"/> holds more than <paramref name="limit"/> bytes and more
    /// than <paramref name="before"/> did, so shrinking or deleting always works, also under a
    /// limit lowered below what a VM holds. The message is what a guest's PUT fails with.
    /// </summary>
    public static void Check(JsonObject? before, JsonObject after, long limit)
    {
        long size = Of(after);
        if (size <= limit)
            return;
        if (before is not null && size <= Of(before))
            return;
        throw TooLarge(size, limit);
    }

    private static Core.SolsticeException TooLarge(long size, long limit) => new(Core.ErrorCode.QuotaExceeded,
        $"metadata too large: customer_metadata and internal_metadata would hold {size} bytes, over this node's limit of {limit} bytes per VM");
}
