using System.Globalization;
using Solstice.Linux;
using Solstice.TestKit;
using static Solstice.Integration.Tests.Zones.NetworkedZones;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// libnftables select()s on its netlink socket, and glibc aborts a process whose socket number
/// is 1024 or more. A daemon holding 1100 descriptors (as some 350 running zones would) must still
/// load anti-spoofing rules and firewalls and stay up.
/// </summary>
[Collection("Zones")]
public sealed class DaemonDescriptorTests
{
    [PrivilegedFact]
    public void A_daemon_holding_more_than_FD_SETSIZE_descriptors_applies_firewalls_and_stays_up()
    {
        string tag = "f" + Guid.NewGuid().ToString("N")[..6];
        using var d = new NodeDaemon(environment: new Dictionary<string, string> { [Node.Program.HoldDescriptorsVariable] = "1100" });
        try
        {
            int open = Directory.GetFiles($"/proc/{d.Pid.ToString(CultureInfo.InvariantCulture)}/fd").Length;
            Assert.True(open > 1100, $"solsticed has {open} descriptors open");

            Assert.Equal(0, d.Run("nictagadm", "add", "-l", tag).ExitCode);
            string zone = d.Create(Lx("fds", tag, "10.236.0.1/24", firewall: true));
            var added = d.Run("fwadm", "add", "-g", "--enable", $"FROM any TO vm {zone} ALLOW tcp PORT 4321");
            Assert.True(added.ExitCode == 0, added.Out + added.Error + File.ReadAllText(d.Log));

            string rules = ProcessCommandRunner.Instance.Run(["nsenter", $"--net={d.RunDir}/netns/{zone}", "nft", "list", "ruleset"]).StandardOutput;
            Assert.Contains("4321", rules, StringComparison.Ordinal);
            Assert.Equal(0, d.Run("vmadm", "list").ExitCode);
            Assert.DoesNotContain("FD_SETSIZE", File.ReadAllText(d.Log), StringComparison.Ordinal);
            Assert.Equal(0, d.Run("vmadm", "delete", zone).ExitCode);
        }
        finally
        {
            d.Run("nictagadm", "delete", "-f", tag);
            ProcessCommandRunner.Instance.Run(["ip", "link", "del", $"sst{tag}"]);
        }
    }
}
