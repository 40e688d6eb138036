using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Instances.Oci;

namespace Solstice.Instances.Zones;

/// <summary>Writes a zone's hostname, /etc/hosts and resolv.conf from its vmadm object, as vmadm does at create.</summary>
public static class ZoneIdentity
{
    public static void Write(JsonObject vm, string rootfs)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        string hostname = VmJson.AsString(vm["hostname"]) ?? uuid;
        var resolvers = VmJson.TryGetList(vm["resolvers"], out var list)
            ? list.Select(n => VmJson.JsString(n)).ToList() : [];
        // Written during create, whose recovery destroys the whole zone dataset after a crash, so
        // there is nothing to make durable (each fsync costs milliseconds on the create path).
        ZoneFiles.Write(rootfs, hostname, VmJson.AsString(vm["dns_domain"]), resolvers, durable: false);
    }
}
