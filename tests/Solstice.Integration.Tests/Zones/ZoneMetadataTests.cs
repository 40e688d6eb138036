using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>The guest tools (the NativeAOT mdata binary from scripts/build.sh) in real zones against the real daemon.</summary>
[Collection("Zones")]
public sealed class ZoneMetadataTests
{
    private static bool ToolsBuilt
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
                dir = dir.Parent;
            return dir is not null && File.Exists(Path.Combine(dir.FullName, "artifacts", "bin", "mdata"));
        }
    }

    [PrivilegedFact]
    public void Guests_read_and_write_their_own_metadata_across_a_daemon_restart()
    {
        Assert.True(ToolsBuilt, "artifacts/bin/mdata is missing: run scripts/build.sh (scripts/test.sh does)");
        using var d = new NodeDaemon();
        string joyent = d.Create(new JsonObject
        {
            ["brand"] = "joyent", ["alias"] = "meta-a", ["max_physical_memory"] = 64,
            ["customer_metadata"] = new JsonObject { ["greeting"] = "hello", ["user-data"] = "some data" },
            ["tags"] = new JsonObject { ["role"] = "web" },
        });
        string lx = d.Create(new JsonObject { ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "meta-b", ["max_physical_memory"] = 64 });

        Assert.Equal((0, joyent + "\n"), d.Zlogin(joyent, "mdata-get", "sdc:uuid"));
        Assert.Equal((0, lx + "\n"), d.Zlogin(lx, "mdata-get", "sdc:uuid"));
        Assert.Equal((0, "meta-a\n"), d.Zlogin(joyent, "mdata-get", "sdc:alias"));
        Assert.Equal((0, "hello\n"), d.Zlogin(joyent, "mdata-get", "greeting"));
        Assert.Equal((0, "web\n"), d.Zlogin(joyent, "mdata-get", "sdc:tags.role"));
        Assert.Equal(1, d.Zlogin(joyent, "mdata-get", "no-such-key").ExitCode);
        Assert.Equal(1, d.Zlogin(lx, "mdata-get", "greeting").ExitCode);

        // A guest PUT is a vmadm update; a vmadm update is visible to the guest at once.
        Assert.Equal(0, d.Zlogin(joyent, "mdata-put", "color", "blue").ExitCode);
        Assert.Equal("blue", d.Get(joyent)["customer_metadata"]!["color"]!.GetValue<string>());
        Assert.Equal(0, d.RunWithInput("vmadm", """{"set_customer_metadata":{"shape":"round"}}""", "update", joyent).ExitCode);
        Assert.Equal((0, "round\n"), d.Zlogin(joyent, "mdata-get", "shape"));
        var keys = d.Zlogin(joyent, "mdata-list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order();
        Assert.Equal(["color", "greeting", "shape", "user-data"], keys);
        Assert.Equal(0, d.Zlogin(joyent, "mdata-delete", "color").ExitCode);
        Assert.Null(d.Get(joyent)["customer_metadata"]!["color"]);
        Assert.NotEqual(0, d.Zlogin(joyent, "mdata-put", "sdc:uuid", "forged").ExitCode);

        // Each zone sees one socket: its own.
        Assert.Equal((0, "metadata.sock\n"), d.Zlogin(joyent, "ls", "/.zonecontrol"));
        Assert.Equal((0, "metadata.sock\n"), d.Zlogin(lx, "ls", "/native/.zonecontrol"));

        d.Kill();
        d.Start();
        Assert.Equal((0, "round\n"), d.Zlogin(joyent, "mdata-get", "shape"));
        Assert.Equal((0, lx + "\n"), d.Zlogin(lx, "mdata-get", "sdc:uuid"));
    }
}
