using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Links;

public sealed class LinksUnitTests
{
    [Fact]
    public void Bridge_and_link_names_fit_in_15_characters_and_do_not_collide()
    {
        Assert.Equal("sstadmin", LinkNames.Bridge("admin"));
        Assert.Equal("sstadmin.5", LinkNames.Bridge("admin", 5));
        Assert.NotEqual(LinkNames.Bridge("a", 1), LinkNames.Bridge("av1"));
        string longName = LinkNames.Bridge("a_very_long_tag_name", 4094);
        Assert.True(longName.Length <= 15);
        Assert.StartsWith("sst-", longName, StringComparison.Ordinal);
        Assert.Throws<SolsticeException>(() => LinkNames.Bridge("bad-name"));
        Assert.Throws<SolsticeException>(() => LinkNames.Bridge("ok", 4095));
        string a = LinkNames.HostLink("bbbbbbbb-0000-4000-8000-000000000001", 999);
        Assert.True(a.Length <= 15);
        Assert.NotEqual(a, LinkNames.HostLink("bbbbbbbb-0000-4000-8000-000000000002", 999));
    }

    [Fact]
    public void NicSpec_parses_vmadm_nics()
    {
        var nic = NicSpec.FromVmNic(JsonNode.Parse("""
            {"mac":"2:8:20:AB:cd:1","nic_tag":"admin","vlan_id":12,"ips":["10.0.0.5/24","fd00::5/64","dhcp"],"gateways":["10.0.0.1"],
             "primary":true,"mtu":9000,"allowed_ips":["10.1.0.0/16"],"dhcp_server":true,"interface":"net1"}
            """)!.AsObject());
        Assert.Equal("02:08:20:ab:cd:01", nic.Mac);
        Assert.Equal(12, nic.VlanId);
        Assert.Equal(["10.0.0.5/24", "fd00::5/64"], nic.Ips.Select(i => i.ToString()));
        Assert.True(nic.Dhcp && nic.Primary && nic.AllowDhcpSpoofing && nic.AllowIpSpoofing);
        var legacy = NicSpec.FromVmNic(JsonNode.Parse("""{"mac":"02:00:00:00:00:01","nic_tag":"x","ip":"10.0.0.9","netmask":"255.255.252.0","gateway":"10.0.0.1"}""")!.AsObject());
        Assert.Equal("10.0.0.9/22", legacy.Ips[0].ToString());
        Assert.Throws<SolsticeException>(() => NicSpec.FromVmNic(JsonNode.Parse("""{"mac":"01:00:00:00:00:01","nic_tag":"x"}""")!.AsObject()));
        Assert.Throws<SolsticeException>(() => NicSpec.FromVmNic(JsonNode.Parse("""{"mac":"02:00:00:00:00:01"}""")!.AsObject()));
    }

    [Fact]
    public void NicSpec_reads_integers_the_daemon_built_in_memory()
    {
        // vmadm's normaliser stores numbers as longs; a parsed-JSON-only reader refused them.
        var nic = new JsonObject { ["mac"] = "02:00:00:00:00:07", ["nic_tag"] = "x", ["vlan_id"] = 20L, ["mtu"] = (long)1400 };
        Assert.Equal(20, NicSpec.FromVmNic(nic).VlanId);
        Assert.Equal(20, NicSpec.FromVmNic(new JsonObject { ["mac"] = "02:00:00:00:00:07", ["nic_tag"] = "x", ["vlan_id"] = "20" }).VlanId);
        Assert.Throws<SolsticeException>(() => NicSpec.FromVmNic(new JsonObject { ["mac"] = "02:00:00:00:00:07", ["nic_tag"] = "x", ["vlan_id"] = 2.5 }));
    }

    [Fact]
    public void AntiSpoof_table_matches_golden()
    {
        var ports = new[]
        {
            new AntiSpoofPort("zaaaaaaaaaan0", "02:00:00:00:00:01", [IpCidr.Parse("10.0.0.1/24"), IpCidr.Parse("fd00::1/64")])
            {
                // prefixes are kept whole (host bits cleared, nested ones merged); addresses go with the exact ones
                AllowedIps = [IpCidr.Parse("10.9.5.7/24"), IpCidr.Parse("10.9.5.128/25"), IpCidr.Parse("10.0.0.1"), IpCidr.Parse("192.168.1.9"), IpCidr.Parse("fd01::/48")],
            },
            new AntiSpoofPort("zbbbbbbbbbbn0", "02:00:00:00:00:02", [IpCidr.Parse("10.0.0.2/24")]) { AllowIpSpoofing = true, AllowRestrictedTraffic = true },
            new AntiSpoofPort("zccccccccccn1", "02:00:00:00:00:03", []) { Dhcp = true, AllowMacSpoofing = true, AllowDhcpSpoofing = true },
        };
        Golden.Assert("links/antispoof.nft", AntiSpoofCompiler.Render(ports));
        Golden.Assert("links/antispoof-add.nft", AntiSpoofCompiler.RenderAddPort(ports[0]) + AntiSpoofCompiler.RenderRemovePort(ports[0]));
    }

    [Fact]
    public void Nictagadm_adds_lists_and_refuses_to_delete_used_tags()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("network.json");
        var used = new Dictionary<string, string[]> { ["admin"] = ["vm-1"] };
        var cmd = new NictagadmCommand(path, t => used.GetValueOrDefault(t) ?? []);
        int Run(out string stdout, out string stderr, params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int rc = cmd.Run(args, o, e);
            stdout = o.ToString();
            stderr = e.ToString();
            return rc;
        }
        Assert.Equal(0, Run(out _, out _, "add", "admin", "00:0C:29:aa:bb:cc"));
        Assert.Equal(0, Run(out _, out _, "add", "-l", "stub0"));
        Assert.Equal(0, Run(out _, out _, "add", "-p", "link=eth1,mtu=9000", "external"));
        Assert.Equal(1, Run(out _, out string dup, "add", "-l", "stub0"));
        Assert.Contains("already exists", dup, StringComparison.Ordinal);
        Assert.Equal(2, Run(out _, out _, "add", "nomac"));
        Assert.Equal(2, Run(out _, out _, "frob"));
        Assert.Equal(0, Run(out string parsable, out _, "list", "-p"));
        Assert.Equal("admin:00\\:0c\\:29\\:aa\\:bb\\:cc:-:normal:1500\nexternal:-:eth1:normal:9000\nstub0:-:-:etherstub:1500\n", parsable);
        Assert.Equal(0, Run(out string stubs, out _, "list", "-l", "-p", "-d", "|"));
        Assert.Equal("stub0|-|-|etherstub|1500\n", stubs);
        Assert.Equal(0, Run(out string table, out _, "list"));
        Assert.StartsWith("NAME", table, StringComparison.Ordinal);
        Assert.Equal(0, Run(out _, out _, "exists", "admin", "stub0"));
        Assert.Equal(1, Run(out _, out _, "exists", "-l", "admin"));
        Assert.Equal(0, Run(out string vms, out _, "vms", "admin"));
        Assert.Equal("vm-1\n", vms);
        Assert.Equal(1, Run(out _, out string inUse, "delete", "admin"));
        Assert.Contains("in use by VMs: vm-1", inUse, StringComparison.Ordinal);
        Assert.Equal(0, Run(out _, out _, "update", "-p", "mtu=1600", "admin"));
        Assert.Equal(1600, NicTagConfig.Load(path).Find("admin")!.Mtu);
        Assert.Equal(0, Run(out _, out _, "delete", "-f", "admin"));
        Assert.Null(NicTagConfig.Load(path).Find("admin"));
        Assert.Equal(1, Run(out _, out _, "update", "-p", "mtu=100", "stub0"));
    }
}
