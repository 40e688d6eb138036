using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// An lx zone from the Debian image scripts/images/build-debian-lx.sh makes boots its own init,
/// systemd, as SmartOS's Debian lx images do: to a running system, reachable with zlogin and
/// mdata-get, stopped by the signal systemd halts on.
/// </summary>
[Collection("Zones")]
public sealed class LxSystemdTests
{
    /// <summary>Where scripts/deps.sh keeps the Debian lx image (built once with debootstrap).</summary>
    private const string ImageCache = "/var/cache/solstice/images/debian-12-lx-v1";

    [PrivilegedFact]
    public void A_debian_lx_zone_boots_systemd_to_running_and_stops_gracefully()
    {
        string? manifest = Directory.Exists(ImageCache) ? Directory.GetFiles(ImageCache, "debian-12-*.json").Order(StringComparer.Ordinal).LastOrDefault() : null;
        Assert.True(manifest is not null, $"{ImageCache} holds no Debian image: run scripts/deps.sh");
        using var d = new NodeDaemon();
        var installed = d.Run("imgadm", "install", "-q", "-m", manifest, "-f", Path.ChangeExtension(manifest, ".tar.gz"));
        Assert.True(installed.ExitCode == 0, installed.Error);
        string image = JsonNode.Parse(File.ReadAllText(manifest))!["uuid"]!.GetValue<string>();

        string uuid = d.Create(new JsonObject
        {
            ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "debian", ["image_uuid"] = image,
            ["max_physical_memory"] = 512, ["customer_metadata"] = new JsonObject { ["greeting"] = "hello" },
        });
        // systemctl needs systemd's socket, which exists once systemd is up; then --wait waits for the boot.
        var state = d.Zlogin(uuid, "i=0; while [ ! -S /run/systemd/private ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; " +
            "timeout 180 systemctl is-system-running --wait");
        if (state.Output.Trim() != "running")
        {
            string diagnostics = d.Zlogin(uuid, "systemctl --failed --no-legend; journalctl -b -p warning --no-pager | tail -40").Output;
            string log = File.ReadAllText(d.ConsoleLogPath(uuid));
            Assert.Fail($"is-system-running: {state.Output}\n{diagnostics}\nconsole:\n{log[Math.Max(0, log.Length - 6000)..]}");
        }
        Assert.Equal((0, "systemd\n"), d.Zlogin(uuid, "cat /proc/1/comm"));
        Assert.Equal((0, "container-other\n"), d.Zlogin(uuid, "systemd-detect-virt"));
        Assert.Equal((0, "hello\n"), d.Zlogin(uuid, "mdata-get greeting"));
        // journald runs, and getty serves the zone's console (/dev/console), not virtual terminals.
        Assert.Equal((0, "active\n"), d.Zlogin(uuid, "systemctl is-active systemd-journald"));
        Assert.Equal((0, "active\n"), d.Zlogin(uuid, "systemctl is-active console-getty"));

        var stopped = d.Run("vmadm", "stop", uuid);
        Assert.True(stopped.ExitCode == 0, stopped.Error);
        var vm = d.Get(uuid);
        Assert.Equal("stopped", vm["state"]!.GetValue<string>());
        // Halted by SIGRTMIN+3, not killed: systemd-shutdown exits 0 in a container ("Exiting container").
        Assert.True(vm["exit_status"]?.GetValue<int>() == 0, $"exit_status {vm["exit_status"]}\n" +
            Printable(File.ReadAllText(d.ConsoleLogPath(uuid))));
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }

    private static string Printable(string text) =>
        new string(text[Math.Max(0, text.Length - 4000)..].Select(c => c is '\n' || c >= ' ' && c != '\x7f' ? c : '.').ToArray());

}
