using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

public class FirewallVmTests
{
    [Fact]
    public void Reads_the_firewall_fields_of_a_vmadm_object()
    {
        var vm = FirewallVm.FromVmJson(System.Text.Json.Nodes.JsonNode.Parse("""
            {"uuid": "11111111-1111-4111-8111-111111111111", "firewall_enabled": true,
             "tags": {"role": "db", "n": 42, "b": true},
             "nics": [{"ips": ["10.0.0.5/24", "dhcp", "fd00::5/64"]}, {"ip": "192.168.1.9"}, {"ips": ["addrconf"]}]}
            """)!.AsObject());
        Assert.Equal("00000000-0000-0000-0000-000000000000", vm.OwnerUuid);
        Assert.True(vm.FirewallEnabled);
        Assert.Equal("42", vm.Tags["n"]);
        Assert.Equal("true", vm.Tags["b"]);
        Assert.Equal(["10.0.0.5/24", "fd00::5/64", "192.168.1.9"], vm.Ips);
        Assert.Equal(["10.0.0.5", "fd00::5", "192.168.1.9"], vm.ParseAddresses().Select(a => a.ToString()));
    }
}
