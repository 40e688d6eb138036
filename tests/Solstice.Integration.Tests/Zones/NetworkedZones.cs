using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>What the real-zone network tests share: an lx zone with one nic, and pings from inside a zone.</summary>
internal static class NetworkedZones
{
    public static JsonObject Lx(string alias, string tag, string ip, int vlan = 0, bool firewall = false)
    {
        var nic = new JsonObject { ["nic_tag"] = tag, ["ips"] = new JsonArray(ip), ["primary"] = true };
        if (vlan != 0)
            nic["vlan_id"] = vlan;
        var payload = new JsonObject
        {
            ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = alias, ["max_physical_memory"] = 64, ["image_uuid"] = BusyboxImage.Uuid,
            ["nics"] = new JsonArray(nic),
        };
        if (firewall)
            payload["firewall_enabled"] = true;
        return payload;
    }

    /// <summary>The exit code of one ping from inside the zone (2 s timeout).</summary>
    public static int Ping(NodeDaemon d, string zone, string address) =>
        d.Zlogin(zone, "ping", "-c", "1", "-W", "2", address).ExitCode;

    /// <summary>Expected reachability of a ping returning an exit code (<see cref="Reachability.Reaches"/>); expected isolation gets one ping.</summary>
    public static bool Reaches(Func<int> ping) => Reachability.Reaches(() => ping() == 0);
}
