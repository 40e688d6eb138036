using Solstice.Linux;
using Solstice.Linux.Netlink;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Links;

/// <summary>Nics on local tags get BIG TCP limits on both veth ends, and bulk TCP between zones then crosses the bridge in packets above 64 KiB.</summary>
[Trait("Category", "Privileged")]
public sealed class BigTcpTests
{
    private const string A = "a1000000-0000-4000-8000-000000000001";
    private const string B = "b1000000-0000-4000-8000-000000000002";

    [PrivilegedFact]
    public void Local_tag_nics_carry_tcp_in_packets_above_64k()
    {
        using var lab = new NetLab(new NicTag("sstbig", NicTagKind.Local));
        string a = lab.Zone(A), b = lab.Zone(B);
        var attached = lab.Network.AddNic(A, a, new NicSpec { Mac = "02:00:00:00:0b:01", NicTag = "sstbig", Ips = [IpCidr.Parse("10.9.7.1/24")] }, 0);
        lab.Network.AddNic(B, b, new NicSpec { Mac = "02:00:00:00:0b:02", NicTag = "sstbig", Ips = [IpCidr.Parse("10.9.7.2/24")] }, 0);
        Assert.Equal(NicAttachment.LocalTagGsoSize, attached.MaxGsoSize);

        int? hostEnd, zoneEnd;
        using (var node = RouteNetlink.Open(lab.HostNetns))
            hostEnd = node.FindLink(attached.HostLink)!.GsoIpv4MaxSize;
        using (var zone = RouteNetlink.Open(a))
            zoneEnd = zone.FindLink(attached.ZoneInterface)!.GsoIpv4MaxSize;
        if (hostEnd is null)
            return; // a kernel before 6.3: no IPv4 BIG TCP, and the attribute was ignored
        Assert.Equal(NicAttachment.LocalTagGsoSize, hostEnd);
        Assert.Equal(NicAttachment.LocalTagGsoSize, zoneEnd);

        // Count what enters the bridge from A's host end during a 256 MiB transfer.
        var counting = ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + lab.HostNetns, "nft", "-f", "-"],
            $"table bridge bigtcp_count {{\n chain c {{\n  type filter hook prerouting priority 0; policy accept;\n  iifname \"{attached.HostLink}\" meta l4proto tcp counter\n }}\n}}\n");
        Assert.True(counting.Succeeded, counting.StandardError);
        Assert.True(lab.Reaches(a, "10.9.7.2"));
        Assert.True(Bulk(a, b, "10.9.7.2", 5201, megabytes: 256), "bulk transfer");
        string counter = lab.Host("nft", "list", "table", "bridge", "bigtcp_count").StandardOutput;
        var match = System.Text.RegularExpressions.Regex.Match(counter, @"packets (\d+) bytes (\d+)");
        Assert.True(match.Success, counter);
        double average = double.Parse(match.Groups[2].Value) / double.Parse(match.Groups[1].Value);
        Assert.True(average > 65536, $"average TCP packet from the zone was {average:F0} bytes: {counter}");
    }

    /// <summary>True when an iperf3 client in one namespace sends megabytes to a one-shot server in the other.</summary>
    private static bool Bulk(string fromNetns, string toNetns, string address, int port, int megabytes)
    {
        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nsenter",
            ["--net=" + toNetns, "timeout", "30", "iperf3", "-s", "-1", "-p", portText]) { UseShellExecute = false, RedirectStandardOutput = true })!;
        Thread.Sleep(200);
        var sent = ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + fromNetns, "timeout", "30", "iperf3", "-c", address, "-p", portText,
            "-n", megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "M"]);
        if (!server.WaitForExit(30_000))
            server.Kill(entireProcessTree: true);
        return sent.Succeeded;
    }
}
