using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// A zone that has filled its quota must still stop, start and have its console logged: the
/// console log does not live in the zone's dataset, and a log write that fails never reaches the
/// stop path (issue #12 §4).
/// </summary>
[Collection("Zones")]
public sealed class ZoneQuotaConsoleTests
{
    [PrivilegedFact]
    public void A_zone_at_its_quota_stops_starts_and_keeps_its_console_log()
    {
        using var d = new NodeDaemon("3G");
        string uuid = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "full", ["max_physical_memory"] = 64, ["quota"] = 1 });
        int ptysBefore = DaemonPtys(d);
        var fill = d.Zlogin(uuid, "/bin/sh", "-c", "dd if=/dev/zero of=/root/fill bs=1M count=1500; sync; echo exit=$?");
        Assert.Contains("quota", fill.Output, StringComparison.OrdinalIgnoreCase);
        // The zone writes to its console while its dataset is full.
        Assert.Equal(0, d.Zlogin(uuid, "/bin/sh", "-c", "echo FULL-MARK-$((40+2)) >/dev/console").ExitCode);
        // Give the line time to reach the log; whether it did is asserted after stop and start.
        for (int i = 0; i < 100 && !ConsoleLog(d, uuid).Contains("FULL-MARK-42"); i++)
            Thread.Sleep(50);

        var stop = d.Run("vmadm", "stop", uuid, "-t", "20");
        Assert.True(stop.ExitCode == 0, $"stop of a full zone failed: {stop.Error}\n{File.ReadAllText(d.Log)}");
        Assert.Contains("Successfully completed stop", stop.Out + stop.Error);
        Assert.Equal("stopped", d.Get(uuid)["state"]!.GetValue<string>());
        Assert.Equal(ptysBefore - 1, DaemonPtys(d));

        var start = d.Run("vmadm", "start", uuid);
        Assert.True(start.ExitCode == 0, $"start of a full zone failed: {start.Error}\n{File.ReadAllText(d.Log)}");
        Assert.Equal("running", d.Get(uuid)["state"]!.GetValue<string>());
        Assert.Equal(ptysBefore, DaemonPtys(d));
        WaitFor(() => ConsoleLog(d, uuid).Contains("FULL-MARK-42"), "the console line of a full zone in its log");
        Assert.Equal(0, d.Run("vmadm", "stop", uuid, "-F").ExitCode);
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }

    private static string ConsoleLog(NodeDaemon d, string uuid)
    {
        string path = d.ConsoleLogPath(uuid);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>The pty masters the daemon holds (its /proc fd table).</summary>
    private static int DaemonPtys(NodeDaemon d) =>
        Directory.GetFiles($"/proc/{d.Pid}/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.EndsWith("ptmx", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static void WaitFor(Func<bool> condition, string what)
    {
        for (int i = 0; i < 200; i++)
        {
            if (condition())
                return;
            Thread.Sleep(50);
        }
        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
    }
}
