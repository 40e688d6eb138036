using Solstice.Linux;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Netlink;

/// <summary>The in-process probes agree with the tools they replaced, each asked in a throwaway namespace.</summary>
[Trait("Category", "Privileged")]
public sealed class NetworkProbeTests
{
    [PrivilegedFact]
    public void Vlan_mode_matches_what_ip_can_create()
    {
        bool ipCan = ProcessCommandRunner.Instance.Run(["unshare", "--net", "ip", "link", "add", "sstprobe", "type", "bridge", "vlan_filtering", "1"]).Succeeded;
        Assert.Equal(ipCan ? VlanMode.VlanFiltering : VlanMode.BridgePerVlan, NetworkProbe.ProbeVlanMode());
    }

    [PrivilegedFact]
    public void Bridge_conntrack_matches_what_nft_accepts()
    {
        bool nftCan = ProcessCommandRunner.Instance.Run(["unshare", "--net", "nft", "-f", "-"],
            "table bridge probe { chain c { type filter hook prerouting priority 0; ct state established accept; } }\n").Succeeded;
        Assert.Equal(nftCan, NetworkProbe.ProbeBridgeConntrack());
    }
}
