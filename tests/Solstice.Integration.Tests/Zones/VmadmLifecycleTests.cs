using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>vmadm verbs against a real solsticed running zones on runc over a btrfs loop pool.</summary>
[Collection("Zones")]
public sealed class VmadmLifecycleTests(NodeDaemonFixture fixture) : IClassFixture<NodeDaemonFixture>
{
    private NodeDaemon D => fixture.Daemon;

    private static JsonObject Joyent(string? alias = null) => new() { ["brand"] = "joyent", ["alias"] = alias, ["max_physical_memory"] = 128 };

    [PrivilegedFact]
    public void Create_boots_a_joyent_zone_that_zlogin_reaches()
    {
        string uuid = D.Create(Joyent("web"));
        var vm = D.Get(uuid);
        Assert.Equal("running", vm["state"]!.GetValue<string>());
        Assert.True(vm["pid"]!.GetValue<int>() > 1);
        Assert.Equal($"{D.Pool.Pool.MountPoint}/{uuid}", vm["zonepath"]!.GetValue<string>());
        var uname = D.Zlogin(uuid, "uname", "-a");
        Assert.Equal(0, uname.ExitCode);
        Assert.StartsWith($"Linux {uuid} ", uname.Output);
        Assert.Equal(7, D.Zlogin(uuid, "sh", "-c", "exit 7").ExitCode);
        // As on SmartOS the command line goes through the zone's shell: its pipes, and its "not found".
        Assert.Equal((0, "b\n"), D.Zlogin(uuid, "echo a | tr a b"));
        var missing = D.Zlogin(uuid, "no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.Matches(@"^sh: (\d+: )?no-such-command: not found\n$", missing.Output);
        Assert.Equal(uuid + "\n", D.Zlogin(uuid, "hostname").Output);
        Assert.Contains($"{uuid}.local {uuid}", D.Zlogin(uuid, "cat", "/etc/hosts").Output);
        // joyent zones are sparse: the platform's /usr is the host's, read-only.
        Assert.Equal(0, D.Zlogin(uuid, "test", "-x", "/usr/bin/dpkg").ExitCode);
        Assert.NotEqual(0, D.Zlogin(uuid, "touch", "/usr/bin/evil").ExitCode);
        Assert.Equal(0, D.Zlogin(uuid, "touch", "/root/ok").ExitCode);
        Assert.True(File.Exists($"{D.Pool.Pool.MountPoint}/{uuid}/root/root/ok"));
        Assert.Equal(0, D.Run("vmadm", "delete", uuid).ExitCode);
    }

    [PrivilegedFact]
    public void Lx_zone_runs_the_images_own_init()
    {
        string uuid = D.Create(new JsonObject { ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["alias"] = "lx1" });
        var ps = D.Zlogin(uuid, "cat", "/proc/1/cmdline");
        Assert.Equal(0, ps.ExitCode);
        Assert.StartsWith("/bin/sh\0/sbin/init", ps.Output);
        Assert.Equal("LX", D.Run("vmadm", "list", "-H", "-o", "type", $"uuid={uuid}").Out.Trim());
        D.Run("vmadm", "delete", uuid);
    }

    [PrivilegedFact]
    public void List_lookup_and_get_speak_vmadm()
    {
        string a = D.Create(Joyent("alpha"));
        string b = D.Create(Joyent("beta"));
        var list = D.Run("vmadm", "list", "-H", "-o", "uuid,alias,state", "-s", "alias", "alias=~^(alpha|beta)$");
        Assert.Equal($"{a}  alpha       running\n{b}  beta        running\n", list.Out);
        Assert.Equal($"{b}\n", D.Run("vmadm", "lookup", "alias=beta").Out);
        var unique = D.Run("vmadm", "lookup", "-1", "alias=~^(alpha|beta)$");
        Assert.Equal(1, unique.ExitCode);
        Assert.Contains("Requested unique lookup but found 2 results.", unique.Error);
        var json = JsonNode.Parse(D.Run("vmadm", "lookup", "-j", "-o", "uuid,alias", "alias=alpha").Out)!.AsArray();
        Assert.Equal(a, json[0]!["uuid"]!.GetValue<string>());
        Assert.Equal(2, json[0]!.AsObject().Count);
        var parsable = D.Run("vmadm", "list", "-p", "-o", "alias,ram", "alias=beta");
        Assert.Equal("beta:128\n", parsable.Out);
        var bad = D.Run("vmadm", "list", "nosuchkey=1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Invalid filter key: \"nosuchkey\"", bad.Error);
        D.Run("vmadm", "delete", a);
        D.Run("vmadm", "delete", b);
    }

    [PrivilegedFact]
    public void Start_and_stop_are_idempotent_with_exit_0()
    {
        string uuid = D.Create(Joyent());
        var again = D.Run("vmadm", "start", uuid);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal($"VM {uuid} is already 'running'\n", again.Error);
        var stop = D.Run("vmadm", "stop", uuid);
        Assert.Equal(0, stop.ExitCode);
        Assert.Equal($"Successfully completed stop for VM {uuid}\n", stop.Error);
        var vm = D.Get(uuid);
        Assert.Equal("stopped", vm["state"]!.GetValue<string>());
        Assert.False(vm["autoboot"]!.GetValue<bool>());
        Assert.Equal(0, vm["exit_status"]!.GetValue<int>());
        var stopAgain = D.Run("vmadm", "stop", uuid);
        Assert.Equal(0, stopAgain.ExitCode);
        Assert.Equal($"VM {uuid} is already not 'running' (currently: stopped)\n", stopAgain.Error);
        Assert.Equal(0, D.Run("vmadm", "start", uuid).ExitCode);
        Assert.Equal("running", D.Get(uuid)["state"]!.GetValue<string>());
        Assert.Equal(0, D.Run("vmadm", "reboot", uuid).ExitCode);
        Assert.Equal("running", D.Get(uuid)["state"]!.GetValue<string>());
        Assert.Equal(0, D.Run("vmadm", "stop", "-F", uuid).ExitCode);
        Assert.Equal("stopped", D.Get(uuid)["state"]!.GetValue<string>());
        D.Run("vmadm", "delete", uuid);
    }

    [PrivilegedFact]
    public void Unknown_and_malformed_uuids()
    {
        string missing = "00000000-1111-2222-3333-444444444444";
        var get = D.Run("vmadm", "get", missing);
        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"zoneadm: {missing}: No such zone configured\n", get.Error);
        Assert.Equal(1, D.Run("vmadm", "start", missing).ExitCode);
        var malformed = D.Run("vmadm", "get", "not-a-uuid");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("Invalid or missing UUID for get", malformed.Error);
        Assert.Equal(2, D.Run("vmadm", "frobnicate").ExitCode);
    }

    [PrivilegedFact]
    public void Invalid_payload_lists_every_error_and_creates_nothing()
    {
        var before = Snapshot();
        var result = D.RunWithInput("vmadm", """{"brand":"joyent","image_uuid":"nope","max_lwps":-5,"ram":"lots","bogus_property":1}""", "create");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("image_uuid", result.Error);
        Assert.Contains("max_lwps", result.Error);
        Assert.Contains("ram", result.Error);
        Assert.Contains("bogus_property", result.Error);
        var json = D.RunWithInput("vmadm", "{not json", "create");
        Assert.Equal(1, json.ExitCode);
        Assert.StartsWith("Invalid JSON payload", json.Error);
        Assert.Equal(before, Snapshot());
    }

    [PrivilegedFact]
    public void Create_that_fails_at_boot_leaves_nothing_behind()
    {
        var before = Snapshot();
        var missingImage = D.RunWithInput("vmadm", """{"brand":"joyent","image_uuid":"01234567-89ab-cdef-0123-456789abcdef"}""", "create");
        Assert.Equal(1, missingImage.ExitCode);
        Assert.StartsWith("Invalid value(s) for: image_uuid\n  image_uuid: image 01234567-89ab-cdef-0123-456789abcdef is not installed", missingImage.Error);
        var badInit = D.RunWithInput("vmadm", $$"""{"brand":"lx","kernel_version":"4.3.0","image_uuid":"{{BusyboxImage.Uuid}}","init_name":"/no/such/init"}""", "create");
        Assert.Equal(1, badInit.ExitCode);
        Assert.Equal(before, Snapshot());
    }

    [PrivilegedFact]
    public void Update_changes_resource_controls_live()
    {
        string uuid = D.Create(Joyent());
        int pid = D.Get(uuid)["pid"]!.GetValue<int>();
        Assert.Equal(0, D.Run("vmadm", "update", uuid, "max_physical_memory=192", "max_lwps=321", "cpu_cap=50", "alias=renamed").ExitCode);
        var vm = D.Get(uuid);
        Assert.Equal(pid, vm["pid"]!.GetValue<int>());
        Assert.Equal(192, vm["max_physical_memory"]!.GetValue<int>());
        Assert.Equal("renamed", vm["alias"]!.GetValue<string>());
        Assert.Equal((192L << 20).ToString(), Cgroup("memory", uuid, "memory.limit_in_bytes"));
        Assert.Equal("321", Cgroup("pids", uuid, "pids.max"));
        Assert.Equal("50000", Cgroup("cpu", uuid, "cpu.cfs_quota_us"));
        Assert.Equal(0, D.RunWithInput("vmadm", """{"set_tags":{"role":"db"},"quota":5}""", "update", uuid).ExitCode);
        Assert.Equal("db", D.Get(uuid)["tags"]!["role"]!.GetValue<string>());
        Assert.Equal($"zones/{uuid}\tquota\t5G\tlocal\n", D.Run("solstice", "dataset", "get", "-H", "quota", $"zones/{uuid}").Out);
        D.Run("vmadm", "delete", uuid);
    }

    [PrivilegedFact]
    public void Snapshots_roll_back_the_zone_root()
    {
        string uuid = D.Create(Joyent());
        Assert.Equal(0, D.Zlogin(uuid, "sh", "-c", "echo before > /root/state").ExitCode);
        // The daemon remembers a VM without snapshots (get reads no disk) until it snapshots it.
        Assert.Empty(D.Get(uuid)["snapshots"]!.AsArray());
        var created = D.Run("vmadm", "create-snapshot", uuid, "snap1");
        Assert.Equal(0, created.ExitCode);
        Assert.Equal($"Created snapshot snap1 for VM {uuid}\n", created.Error);
        D.Zlogin(uuid, "sh", "-c", "echo after > /root/state");
        var snapshots = D.Get(uuid)["snapshots"]!.AsArray();
        Assert.Equal("snap1", Assert.Single(snapshots)!["name"]!.GetValue<string>());
        Assert.Equal(0, D.Run("vmadm", "rollback-snapshot", uuid, "snap1").ExitCode);
        Assert.Equal("running", D.Get(uuid)["state"]!.GetValue<string>());
        Assert.Equal("before\n", D.Zlogin(uuid, "cat", "/root/state").Output);
        Assert.Equal(1, D.Run("vmadm", "create-snapshot", uuid, "snap1").ExitCode);
        Assert.Equal(0, D.Run("vmadm", "delete-snapshot", uuid, "snap1").ExitCode);
        Assert.Empty(D.Get(uuid)["snapshots"]!.AsArray());
        Assert.Equal(1, D.Run("vmadm", "delete-snapshot", uuid, "snap1").ExitCode);
        D.Run("vmadm", "delete", uuid);
    }

    [PrivilegedFact]
    public void Delete_removes_dataset_runtime_cgroups_and_config()
    {
        string uuid = D.Create(Joyent());
        Assert.Contains(uuid, D.RuncContainers());
        var deleted = D.Run("vmadm", "delete", uuid);
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal($"Successfully deleted VM {uuid}\n", deleted.Error);
        Assert.DoesNotContain(uuid, D.RuncContainers());
        Assert.False(Directory.Exists($"{D.Pool.Pool.MountPoint}/{uuid}"));
        Assert.False(File.Exists($"{D.Pool.Pool.MountPoint}/config/{uuid}.json"));
        foreach (string controller in new[] { "memory", "pids", "cpu" })
            Assert.False(Directory.Exists($"/sys/fs/cgroup/{controller}/solstice/{uuid}"), controller);
        Assert.Equal(1, D.Run("vmadm", "get", uuid).ExitCode);
    }

    private static string Cgroup(string controller, string uuid, string file) =>
        File.ReadAllText($"/sys/fs/cgroup/{controller}/solstice/{uuid}/{file}").Trim();

    /// <summary>What a failed create must not change: VM records, datasets, runtime containers.</summary>
    private string Snapshot()
    {
        string records = string.Join(",", Directory.GetFiles($"{D.Pool.Pool.MountPoint}/config").Order());
        string datasets = D.Run("solstice", "dataset", "list", "-H", "-o", "name", "-t", "all").Out;
        string containers = string.Join(",", D.RuncContainers().Order());
        return $"{records}|{datasets}|{containers}";
    }
}
