using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

public static partial class VmListing
{
    /// <summary>
    /// <c>vmadm lookup</c>: matching uuids one per line, or with <c>-j</c> a JSON array (2-space indent) of the
    /// VM objects, reduced to the <c>-o</c> keys if given. <c>-1</c> throws unless exactly one VM matches
    /// (<c>Requested unique lookup but found N results.</c>). <c>-o</c> without <c>-j</c> throws
    /// <c>Cannot specify -o without -j</c>.
    /// </summary>
    public static string Lookup(IEnumerable<JsonObject> vms, VmLookupOptions options)
    {
        ArgumentNullException.ThrowIfNull(vms);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fields is not null && !options.Json)
            throw new SolsticeException(ErrorCode.InvalidArgument, "Cannot specify -o without -j");
        var filters = ParseFilters(options.Filters, VmKeyContext.Lookup);
        var matches = Filter(vms, filters).ToList();
        if (options.Unique && matches.Count != 1)
        {
            throw new SolsticeException(matches.Count == 0 ? ErrorCode.NotFound : ErrorCode.Conflict,
                $"Requested unique lookup but found {matches.Count} results.");
        }
        if (options.Json)
        {
            var array = new JsonArray();
            foreach (var vm in matches)
                array.Add((JsonNode)(options.Fields is null ? vm.DeepClone().AsObject() : Select(vm, options.Fields)));
            return VmJson.Stringify(array, indented: true) + "\n";
        }
        var sb = new StringBuilder();
        foreach (var vm in matches)
            sb.Append(VmJson.JsString(vm["uuid"])).Append('\n');
        return sb.ToString();
    }

    /// <summary>The <c>-j -o</c> subset: the listed keys the VM has, in the order given; flattened keys allowed.</summary>
    public static JsonObject Select(JsonObject vm, IReadOnlyList<string> fields)
    {
        var result = new JsonObject();
        foreach (string field in fields)
        {
            if (result.ContainsKey(field))
                continue;
            var value = vm.TryGetPropertyValue(field, out var direct) ? direct : Resolve(vm, field);
            if (value is not null)
                result[field] = value.DeepClone();
        }
        return result;
    }
}
