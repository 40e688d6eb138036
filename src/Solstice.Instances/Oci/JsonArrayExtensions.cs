using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

internal static class JsonArrayExtensions
{
    // JsonArray.Add<T> would be picked for JsonObject and string arguments and is not AOT-safe;
    // this funnels every append through the JsonNode overload.
    public static void Append(this JsonArray array, JsonNode? node) => array.Add(node);
}
