using Solstice.Linux;
using Solstice.Linux.Netlink;

namespace Solstice.Network.Links;

/// <summary>How VLANs of a nic tag are kept apart on the node.</summary>
public enum VlanMode
{
    /// <summary>One bridge per (tag, vlan): works without 802.1Q or bridge VLAN filtering in the kernel.</summary>
    BridgePerVlan,

    /// <summary>One VLAN-filtering bridge per tag, ports with pvid/untagged membership.</summary>
    VlanFiltering,
}

/// <summary>Kernel feature probes, each run once in a throwaway network namespace, in-process.</summary>
public static class NetworkProbe
{
    /// <summary>VlanFiltering when a bridge with vlan_filtering 1 can be created, else BridgePerVlan.</summary>
    public static VlanMode ProbeVlanMode() =>
        NetworkNamespace.RunInNew(() =>
        {
            using var links = RouteNetlink.Open();
            links.AddBridge("sstprobe", null, vlanFiltering: true);
            try
            {
                links.Commit();
                return VlanMode.VlanFiltering;
            }
            catch (NetlinkException)
            {
                return VlanMode.BridgePerVlan;
            }
        });

    /// <summary>True when nftables accepts ct state in the bridge family (nf_conntrack_bridge).</summary>
    public static bool ProbeBridgeConntrack() =>
        NetworkNamespace.RunInNew(() =>
            Nftables.Run("table bridge probe { chain c { type filter hook prerouting priority 0; ct state established accept; } }\n").Succeeded);
}
