using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.TestKit;
using static Solstice.Integration.Tests.Zones.NetworkedZones;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// Zones with vnics on a local (etherstub) nic tag made for the test: a bridge with no uplink,
/// addresses from a private range; nothing reaches the host's own links or anything outside.
/// </summary>
[Collection("Zones")]
public sealed class ZoneNetworkTests
{
    [PrivilegedFact]
    public void Zones_on_one_tag_talk_the_firewall_filters_and_delete_leaves_no_links()
    {
        string tag = "t" + Guid.NewGuid().ToString("N")[..6];
        string other = "u" + Guid.NewGuid().ToString("N")[..6];
        using var d = new NodeDaemon();
        try
        {
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", tag).ExitCode);
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", other).ExitCode);
            Assert.Contains(tag, d.Run("nictagadm", "list", "-p").Out);
            var bad = d.RunWithInput("vmadm", Lx("x", "nosuchtag", "10.231.0.9/24").ToJsonString(), "create");
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("nosuchtag", bad.Error);

            string a = d.Create(Lx("net-a", tag, "10.231.0.1/24"));
            string b = d.Create(Lx("net-b", tag, "10.231.0.2/24", firewall: true));
            string c = d.Create(Lx("net-c", other, "10.231.0.3/24"));
            Assert.Equal(0, d.Zlogin(a, "ip", "-4", "addr", "show", "eth0").ExitCode);
            Assert.Contains("10.231.0.1/24", d.Zlogin(a, "ip", "-4", "addr", "show", "eth0").Output);

            // Same tag, but b's firewall blocks inbound by default.
            Assert.NotEqual(0, Ping(d, a, "10.231.0.2"));
            var added = d.Run("fwadm", "add", "-g", "--enable", $"FROM any TO vm {b} ALLOW icmp TYPE 8 CODE 0");
            Assert.True(added.ExitCode == 0, added.Out + added.Error);
            var ping = (ExitCode: -1, Output: "");
            Assert.True(Reaches(() => (ping = d.Zlogin(a, "ping", "-c", "1", "-W", "2", "10.231.0.2")).ExitCode),
                ping.Output + d.Run("fwadm", "list").Out + d.Run("fwadm", "vm-rules", b).Out
                + ProcessCommandRunner.Instance.Run(["nsenter", $"--net={d.RunDir}/netns/{b}", "nft", "list", "ruleset"]).StandardOutput);
            Assert.True(Reaches(() => Ping(d, b, "10.231.0.1")));
            // Another tag is another network.
            Assert.NotEqual(0, Ping(d, c, "10.231.0.1"));

            // The rule is on the pool and in force after the daemon restarts.
            d.Kill();
            d.Start();
            Assert.True(Reaches(() => Ping(d, a, "10.231.0.2")));
            Assert.Equal(0, d.Run("vmadm", "update", b, "firewall_enabled=false").ExitCode);
            Assert.True(Reaches(() => Ping(d, a, "10.231.0.2")));

            // Live nic add and remove.
            var add = new JsonObject { ["add_nics"] = new JsonArray(new JsonObject { ["nic_tag"] = other, ["ips"] = new JsonArray("10.232.0.1/24") }) };
            Assert.Equal(0, d.RunWithInput("vmadm", add.ToJsonString(), "update", a).ExitCode);
            Assert.Contains("10.232.0.1/24", d.Zlogin(a, "ip", "-4", "addr", "show", "eth1").Output);
            string mac = d.Get(a)["nics"]![1]!["mac"]!.GetValue<string>();
            Assert.Equal(0, d.RunWithInput("vmadm", $$"""{"remove_nics":["{{mac}}"]}""", "update", a).ExitCode);
            Assert.NotEqual(0, d.Zlogin(a, "ip", "link", "show", "eth1").ExitCode);

            foreach (string vm in new[] { a, b, c })
                Assert.Equal(0, d.Run("vmadm", "delete", vm).ExitCode);
            var links = ProcessCommandRunner.Instance.Run(["ip", "-o", "link", "show"]).StandardOutput;
            Assert.DoesNotContain($"master sst{tag}", links);
            Assert.Empty(Directory.GetFiles(Path.Combine(d.RunDir, "netns")));
        }
        finally
        {
            d.Run("nictagadm", "delete", "-f", tag);
            d.Run("nictagadm", "delete", "-f", other);
            foreach (string name in new[] { tag, other })
                ProcessCommandRunner.Instance.Run(["ip", "link", "del", $"sst{name}"]);
        }
    }
}
