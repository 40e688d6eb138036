using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.TestKit;
using static Solstice.Integration.Tests.Zones.NetworkedZones;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// Anti-spoofing and VLAN isolation between real zones on a local nic tag made for the test (a
/// bridge with no uplink, private addresses). A zone has no CAP_NET_ADMIN, so it cannot change
/// its own addresses; the spoofed traffic is sent from inside its network namespace by the test,
/// through the zone's own vnic, which is what a zone could do with raw sockets.
/// </summary>
[Collection("Zones")]
public sealed class ZoneSpoofingTests
{
    [PrivilegedFact]
    public void Spoofed_ip_and_mac_traffic_is_dropped_until_the_nic_allows_it()
    {
        string tag = "s" + Guid.NewGuid().ToString("N")[..6];
        using var d = new NodeDaemon();
        try
        {
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", tag).ExitCode);
            string a = d.Create(Lx("spoof-a", tag, "10.235.0.1/24"));
            string b = d.Create(Lx("spoof-b", tag, "10.235.0.2/24"));
            string mac = d.Get(a)["nics"]![0]!["mac"]!.GetValue<string>();
            Assert.True(Reaches(() => Ping(d, a, "10.235.0.2")));

            // The zone itself may not reconfigure its link.
            Assert.NotEqual(0, d.Zlogin(a, "ip", "addr", "add", "10.235.0.77/24", "dev", "eth0").ExitCode);

            // A source address that is not the zone's: dropped (both the ICMP and the ARP answers for it).
            InZoneNet(d, a, "ip", "addr", "replace", "10.235.0.77/24", "dev", "eth0");
            Assert.NotEqual(0, PingFrom(d, a, "10.235.0.77", "10.235.0.2"));
            Assert.True(Reaches(() => Ping(d, a, "10.235.0.2")));
            SetNic(d, a, mac, "allow_ip_spoofing", true);
            InZoneNet(d, a, "ip", "addr", "replace", "10.235.0.77/24", "dev", "eth0");
            Assert.True(Reaches(() => PingFrom(d, a, "10.235.0.77", "10.235.0.2")));

            // A source MAC that is not the zone's: dropped, then allowed with the flag.
            InZoneNet(d, a, "ip", "link", "set", "dev", "eth0", "address", "02:00:de:ad:be:ef");
            InZoneNet(d, b, "ip", "neigh", "flush", "all");
            Assert.NotEqual(0, Ping(d, a, "10.235.0.2"));
            SetNic(d, a, mac, "allow_mac_spoofing", true);
            InZoneNet(d, a, "ip", "link", "set", "dev", "eth0", "address", "02:00:de:ad:be:ef");
            InZoneNet(d, b, "ip", "neigh", "flush", "all");
            Assert.True(Reaches(() => Ping(d, a, "10.235.0.2")));
        }
        finally
        {
            d.Run("nictagadm", "delete", "-f", tag);
            ProcessCommandRunner.Instance.Run(["ip", "link", "del", $"sst{tag}"]);
        }
    }

    [PrivilegedFact]
    public void Zones_on_different_vlans_of_a_tag_cannot_reach_each_other()
    {
        string tag = "v" + Guid.NewGuid().ToString("N")[..6];
        using var d = new NodeDaemon();
        try
        {
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", tag).ExitCode);
            string x = d.Create(Lx("vlan-x", tag, "10.236.0.1/24", vlan: 10));
            string y = d.Create(Lx("vlan-y", tag, "10.236.0.2/24", vlan: 10));
            string z = d.Create(Lx("vlan-z", tag, "10.236.0.3/24", vlan: 20));
            string w = d.Create(Lx("vlan-w", tag, "10.236.0.4/24"));
            Assert.True(Reaches(() => Ping(d, y, "10.236.0.1")));
            Assert.NotEqual(0, Ping(d, z, "10.236.0.1"));
            Assert.NotEqual(0, Ping(d, w, "10.236.0.1"));
            Assert.NotEqual(0, Ping(d, x, "10.236.0.3"));
            Assert.NotEqual(0, Ping(d, w, "10.236.0.3"));
            // TCP too, within the VLAN and across it.
            Assert.Equal("hello", Tcp(d, server: x, client: y, "10.236.0.1"));
            Assert.Equal("", Tcp(d, server: x, client: z, "10.236.0.1"));
        }
        finally
        {
            d.Run("nictagadm", "delete", "-f", tag);
            foreach (string bridge in new[] { $"sst{tag}", $"sst{tag}.10", $"sst{tag}.20" })
                ProcessCommandRunner.Instance.Run(["ip", "link", "del", bridge]);
        }
    }

    /// <summary>update_nics of an anti-spoofing flag takes effect at the next boot, as on SmartOS.</summary>
    private static void SetNic(NodeDaemon d, string zone, string mac, string flag, bool value)
    {
        var update = new JsonObject { ["update_nics"] = new JsonArray(new JsonObject { ["mac"] = mac, [flag] = value }) };
        var updated = d.RunWithInput("vmadm", update.ToJsonString(), "update", zone);
        Assert.True(updated.ExitCode == 0, updated.Error);
        var rebooted = d.Run("vmadm", "reboot", zone);
        Assert.True(rebooted.ExitCode == 0, rebooted.Error);
    }

    private static void InZoneNet(NodeDaemon d, string zone, params string[] command)
    {
        var result = ProcessCommandRunner.Instance.Run(["nsenter", $"--net={d.RunDir}/netns/{zone}", .. command]);
        Assert.True(result.ExitCode == 0, string.Join(' ', command) + ": " + result.StandardError);
    }

    private static int PingFrom(NodeDaemon d, string zone, string source, string address) =>
        ProcessCommandRunner.Instance.Run(["nsenter", $"--net={d.RunDir}/netns/{zone}", "busybox", "ping", "-c", "1", "-W", "2", "-I", source, address]).ExitCode;

    /// <summary>What the client receives from a one-shot TCP server in the other zone ("" when it can't connect).</summary>
    private static string Tcp(NodeDaemon d, string server, string client, string address)
    {
        using var listener = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nsenter",
            ["--net=" + $"{d.RunDir}/netns/{server}", "busybox", "timeout", "5", "sh", "-c", "echo hello | busybox nc -l -p 5077"])
            { UseShellExecute = false, RedirectStandardOutput = true })!;
        Thread.Sleep(300);
        var received = d.Zlogin(client, "sh", "-c", $"busybox nc -w 2 {address} 5077 </dev/null 2>/dev/null");
        // The whole tree: killing nsenter alone would leave nc (and with it the zone's namespace) behind.
        listener.Kill(entireProcessTree: true);
        listener.WaitForExit();
        return received.Output.Trim();
    }
}
