using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Links;

/// <summary>A zone nic gets an IPv6 link-local address only when it has IPv6 (an address, or dhcp/addrconf).</summary>
[Trait("Category", "Privileged")]
public sealed class Ipv6LinkLocalTests
{
    private const string A = "a2000000-0000-4000-8000-000000000001";

    [PrivilegedFact]
    public void Only_nics_with_ipv6_get_a_link_local_address()
    {
        using var lab = new NetLab(new NicTag("sstll", NicTagKind.Local));
        string a = lab.Zone(A);
        lab.Network.AddNic(A, a, new NicSpec { Mac = "02:00:00:00:0c:01", NicTag = "sstll", Ips = [IpCidr.Parse("10.9.8.1/24")] }, 0);
        lab.Network.AddNic(A, a, new NicSpec { Mac = "02:00:00:00:0c:02", NicTag = "sstll", Ips = [IpCidr.Parse("10.9.9.1/24"), IpCidr.Parse("fd00:9::1/64")] }, 1);
        lab.Network.AddNic(A, a, new NicSpec { Mac = "02:00:00:00:0c:03", NicTag = "sstll", Dhcp = true }, 2);

        Assert.DoesNotContain("inet6", lab.In(a, "ip", "-6", "addr", "show", "net0").StandardOutput, StringComparison.Ordinal);
        string v6 = lab.In(a, "ip", "-6", "addr", "show", "net1").StandardOutput;
        Assert.Contains("fd00:9::1/64", v6, StringComparison.Ordinal);
        Assert.Contains("inet6 fe80::", v6, StringComparison.Ordinal);
        Assert.Contains("inet6 fe80::", lab.In(a, "ip", "-6", "addr", "show", "net2").StandardOutput, StringComparison.Ordinal);
        // IPv4 on the IPv6-less nic is unaffected.
        Assert.Contains("10.9.8.1/24", lab.In(a, "ip", "-4", "addr", "show", "net0").StandardOutput, StringComparison.Ordinal);
    }
}
