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

    /// <summary>Where scripts/deps.sh unpacks Debian's cloud-init package (never installed).</summary>
    private const string CloudInit = "/var/cache/solstice/cloud-init/usr/lib/python3/dist-packages";

    [PrivilegedFact]
    public void Cloud_inits_own_smartos_client_works_unchanged_inside_a_zone()
    {
        Assert.True(Directory.Exists(Path.Combine(CloudInit, "cloudinit")), $"{CloudInit} is missing: run scripts/deps.sh");
        using var d = new NodeDaemon();
        string zone = d.Create(new JsonObject
        {
            ["brand"] = "joyent", ["alias"] = "meta-cloud-init", ["max_physical_memory"] = 256,
            ["customer_metadata"] = new JsonObject { ["greeting"] = "hello", ["cloud-init:user-data"] = "#cloud-config\n" },
        });
        // A joyent zone sees the host's /usr, hence its python3; cloud-init goes into the zone's root.
        string root = Path.Combine(d.Get(zone)["zonepath"]!.GetValue<string>(), "root", "opt");
        CopyTree(Path.Combine(CloudInit, "cloudinit"), Path.Combine(root, "cloud-init", "cloudinit"));
        File.WriteAllText(Path.Combine(root, "client.py"), """
            import json, sys
            sys.path.insert(0, "/opt/cloud-init")
            from cloudinit.sources.DataSourceSmartOS import JoyentMetadataSocketClient
            out = {}
            with JoyentMetadataSocketClient("/.zonecontrol/metadata.sock") as c:
                out["uuid"] = c.get("sdc:uuid")
                out["greeting"] = c.get("greeting")
                out["missing"] = c.get("no-such-key", default="<none>")
                out["nics"] = c.get_json("sdc:nics")
                out["keys"] = sorted(c.list())
                c.put("written", "by cloud-init")
                c.delete("greeting")
                out["after"] = sorted(c.list())
            print(json.dumps(out))
            """);

        var run = d.Zlogin(zone, "/usr/bin/python3", "/opt/client.py");
        Assert.True(run.ExitCode == 0, run.Output);
        var result = JsonNode.Parse(run.Output)!;
        Assert.Equal(zone, result["uuid"]!.GetValue<string>());
        Assert.Equal("hello", result["greeting"]!.GetValue<string>());
        Assert.Equal("<none>", result["missing"]!.GetValue<string>());
        Assert.Empty(result["nics"]!.AsArray());
        Assert.Equal(["cloud-init:user-data", "greeting"], result["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(["cloud-init:user-data", "written"], result["after"]!.AsArray().Select(k => k!.GetValue<string>()));
        var metadata = d.Get(zone)["customer_metadata"]!;
        Assert.Equal("by cloud-init", metadata["written"]!.GetValue<string>());
        Assert.Null(metadata["greeting"]);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.GetDirectories(from))
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    [PrivilegedFact]
    public void The_node_config_sets_the_per_zone_value_size_and_request_rate()
    {
        Assert.True(ToolsBuilt, "artifacts/bin/mdata is missing: run scripts/build.sh (scripts/test.sh does)");
        using var d = new NodeDaemon();
        d.Stop();
        d.Pool.Config.Metadata = new Solstice.Storage.MetadataConfig { MaxValueBytes = 64, RequestsPerSecond = 10, Burst = 3 };
        d.Pool.Config.Save(d.Pool.ConfigPath);
        d.Start();
        string zone = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "meta-limits", ["max_physical_memory"] = 64 });

        Assert.Equal(0, d.Zlogin(zone, "mdata-put", "small", new string('s', 64)).ExitCode);
        var tooLarge = d.Zlogin(zone, "sh", "-c", $"mdata-put large {new string('l', 65)} 2>&1");
        Assert.Equal(2, tooLarge.ExitCode);
        Assert.Contains("Value too large", tooLarge.Output);
        Assert.Null(d.Get(zone)["customer_metadata"]!["large"]);

        // Each mdata-get sends three lines (reset, NEGOTIATE, GET): 30 requests at 10/s after a
        // burst of 3 cannot finish in under 2.7 s; they are slowed down, not refused.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var loop = d.Zlogin(zone, "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do mdata-get sdc:alias || exit 9; done");
        Assert.Equal(0, loop.ExitCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"10 mdata-get took {clock.Elapsed}; the rate limit did not apply");
    }

    [PrivilegedFact]
    public void Every_boot_writes_user_data_and_keys_and_runs_operator_then_user_script()
    {
        Assert.True(ToolsBuilt, "artifacts/bin/mdata is missing: run scripts/build.sh (scripts/test.sh does)");
        using var d = new NodeDaemon();
        string uuid = d.Create(new JsonObject
        {
            ["brand"] = "joyent", ["alias"] = "scripted", ["max_physical_memory"] = 64,
            ["customer_metadata"] = new JsonObject
            {
                ["user-data"] = "payload",
                ["root_authorized_keys"] = "ssh-ed25519 AAAAC3Nz test@example",
                ["user-script"] = "#!/bin/sh\necho user-$(mdata-get sdc:alias) >> /root/boots\n",
                ["cloud-init:user-data"] = "#cloud-config\n",
            },
            ["internal_metadata"] = new JsonObject { ["operator-script"] = "#!/bin/sh\necho operator >> /root/boots\n" },
        });
        string root = $"{d.Pool.Pool.MountPoint}/{uuid}/root";
        WaitForLines(Path.Combine(root, "root", "boots"), 2);
        Assert.Equal(["operator", "user-scripted"], File.ReadAllLines(Path.Combine(root, "root", "boots")));
        Assert.Equal("payload", File.ReadAllText(Path.Combine(root, "var", "db", "mdata-user-data")));
        Assert.Equal("ssh-ed25519 AAAAC3Nz test@example", File.ReadAllText(Path.Combine(root, "root", ".ssh", "authorized_keys")));
        Assert.Equal($"instance-id: {uuid}\nlocal-hostname: {uuid}\n", File.ReadAllText(Path.Combine(root, "var", "lib", "cloud", "seed", "nocloud", "meta-data")));
        Assert.Equal("#cloud-config\n", File.ReadAllText(Path.Combine(root, "var", "lib", "cloud", "seed", "nocloud", "user-data")));
        Assert.Equal(0, d.Run("vmadm", "reboot", uuid).ExitCode);
        WaitForLines(Path.Combine(root, "root", "boots"), 4);
        Assert.True(File.Exists(Path.Combine(root, "var", "svc", "log", "mdata-user-script.log")));
    }

    private static void WaitForLines(string path, int count)
    {
        for (int i = 0; i < 200; i++)
        {
            if (File.Exists(path) && File.ReadAllLines(path).Length >= count)
                return;
            Thread.Sleep(50);
        }
        Assert.Fail($"{path} never reached {count} lines");
    }
}
