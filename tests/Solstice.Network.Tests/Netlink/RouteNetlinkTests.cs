using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Solstice.Linux.Interop;
using Solstice.Linux.Netlink;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Netlink;

/// <summary>RouteNetlink against the real kernel, in namespaces of its own; iproute2 reads back what it made.</summary>
[Trait("Category", "Privileged")]
public sealed class RouteNetlinkTests
{
    [PrivilegedFact]
    public void Makes_a_bridge_and_a_veth_pair_across_namespaces_with_mac_mtu_addresses_and_routes()
    {
        using var scratch = new ScratchNetns();
        string node = scratch.Create("node"), zone = scratch.Create("zone");
        using (var host = RouteNetlink.Open(node))
        {
            host.AddBridge("br0", 1400);
            host.SetNoIpv6LinkLocal("br0");
            host.SetLink("br0", up: true);
            host.Commit();
            var bridge = host.FindLink("br0");
            Assert.Equal("bridge", bridge?.Kind);
            host.AddVeth("h0", 1400, "net0", PhysicalAddress.Parse("02:00:00:aa:bb:01"), zone);
            host.SetNoIpv6LinkLocal("h0");
            host.SetLink("h0", masterIndex: bridge!.Index, up: true);
            host.Commit();
            Assert.Equal("veth", host.FindLink("h0")?.Kind);
            Assert.Null(host.FindLink("net0"));
        }
        using (var inside = RouteNetlink.Open(zone))
        {
            int index = inside.FindLink("net0")!.Index;
            inside.SetLink("net0", up: true);
            inside.AddAddress(index, IPAddress.Parse("10.77.0.2"), 24);
            inside.AddAddress(index, IPAddress.Parse("fd77::2"), 64, noDad: true);
            inside.ReplaceRoute(AddressFamily.InterNetwork, null, 0, IPAddress.Parse("10.77.0.1"), index);
            inside.ReplaceRoute(AddressFamily.InterNetwork, IPAddress.Parse("10.78.0.0"), 16, IPAddress.Parse("10.77.0.9"), null);
            inside.ReplaceRoute(AddressFamily.InterNetwork, IPAddress.Parse("10.79.0.0"), 16, null, index);
            inside.Commit();
        }

        var hostEnd = Link(node, "h0");
        Assert.Equal("br0", hostEnd["master"]?.GetValue<string>());
        Assert.Equal(1400, hostEnd["mtu"]!.GetValue<int>());
        Assert.Contains("UP", hostEnd["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.DoesNotContain("inet6", ScratchNetns.In(node, "ip", "-o", "addr", "show", "dev", "h0").StandardOutput, StringComparison.Ordinal);
        var zoneEnd = Link(zone, "net0");
        Assert.Equal("02:00:00:aa:bb:01", zoneEnd["address"]!.GetValue<string>());
        Assert.Equal(1400, zoneEnd["mtu"]!.GetValue<int>());
        string addresses = ScratchNetns.In(zone, "ip", "-o", "addr", "show", "dev", "net0").StandardOutput;
        Assert.Contains("inet 10.77.0.2/24", addresses, StringComparison.Ordinal);
        string v6 = addresses.Split('\n').Single(l => l.Contains("inet6 fd77::2/64", StringComparison.Ordinal));
        Assert.DoesNotContain("tentative", v6, StringComparison.Ordinal);
        string routes = ScratchNetns.In(zone, "ip", "-4", "route").StandardOutput;
        Assert.Contains("default via 10.77.0.1 dev net0", routes, StringComparison.Ordinal);
        Assert.Contains("10.78.0.0/16 via 10.77.0.9 dev net0", routes, StringComparison.Ordinal);
        Assert.Contains("10.79.0.0/16 dev net0 scope link", routes, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Refusals_name_the_operation_and_carry_errno_and_the_kernels_text()
    {
        using var scratch = new ScratchNetns();
        string node = scratch.Create("node"), zone = scratch.Create("zone");
        using var host = RouteNetlink.Open(node);
        host.AddVeth("h0", 1500, "net0", PhysicalAddress.Parse("02:00:00:aa:bb:01"), zone);
        host.Commit();

        host.AddVeth("h0", 1500, "net1", PhysicalAddress.Parse("02:00:00:aa:bb:02"), zone);
        host.DeleteLink("nosuchlink", ignoreMissing: true);
        var exists = Assert.Throws<NetlinkException>(host.Commit);
        Assert.Equal(Errno.EEXIST, exists.Errno);
        Assert.StartsWith("add veth h0 (peer net1): File exists", exists.Message, StringComparison.Ordinal);

        host.DeleteLink("nosuchlink");
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(host.Commit).Errno);

        int lo = host.FindLink("lo")!.Index;
        host.ReplaceRoute(AddressFamily.InterNetwork, IPAddress.Parse("10.80.0.0"), 8, IPAddress.Parse("10.81.0.1"), lo);
        var route = Assert.Throws<NetlinkException>(host.Commit);
        Assert.Contains("replace route 10.80.0.0/8 via 10.81.0.1", route.Message, StringComparison.Ordinal);
        Assert.NotNull(route.KernelMessage);

        host.DeleteLink("h0");
        host.Commit();
        Assert.Null(host.FindLink("h0"));
        Assert.DoesNotContain("net0", ScratchNetns.In(zone, "ip", "-o", "link").StandardOutput, StringComparison.Ordinal);
    }

    private static JsonNode Link(string netns, string name)
    {
        var result = ScratchNetns.In(netns, "ip", "-j", "link", "show", "dev", name);
        Assert.True(result.Succeeded, result.StandardError);
        return JsonNode.Parse(result.StandardOutput)![0]!;
    }
}
