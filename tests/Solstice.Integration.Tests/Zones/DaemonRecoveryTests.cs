using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>The daemon dies (SIGKILL) or restarts; zones keep running and state stays consistent.</summary>
[Collection("Zones")]
public sealed class DaemonRecoveryTests
{
    private static JsonObject Joyent(string alias, bool autoboot = true) =>
        new() { ["brand"] = "joyent", ["alias"] = alias, ["max_physical_memory"] = 64, ["autoboot"] = autoboot };

    [PrivilegedFact]
    public void Zones_survive_sigkill_of_the_daemon_and_are_readopted()
    {
        using var d = new NodeDaemon();
        string uuid = d.Create(Joyent("survivor"));
        int pid = d.Get(uuid)["pid"]!.GetValue<int>();
        d.Kill();
        Assert.True(Alive(pid), "zone init died with the daemon");
        Assert.Contains(uuid, d.RuncContainers());
        d.Start();
        var vm = d.Get(uuid);
        Assert.Equal("running", vm["state"]!.GetValue<string>());
        Assert.Equal(pid, vm["pid"]!.GetValue<int>());
        Assert.Equal(0, d.Zlogin(uuid, "true").ExitCode);
        Assert.Equal(0, d.Run("vmadm", "update", uuid, "max_lwps=444").ExitCode);
        Assert.Equal("444", File.ReadAllText($"/sys/fs/cgroup/pids/solstice/{uuid}/pids.max").Trim());
        Assert.Equal(0, d.Run("vmadm", "stop", uuid).ExitCode);
        Assert.Equal("stopped", d.Get(uuid)["state"]!.GetValue<string>());
        Assert.False(Alive(pid));
    }

    /// <summary>Running, not merely a zombie left for whichever reaper adopted it when the daemon died.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [PrivilegedFact]
    public void A_zone_that_dies_while_the_daemon_is_down_is_seen_as_stopped()
    {
        using var d = new NodeDaemon();
        string uuid = d.Create(Joyent("casualty"));
        int pid = d.Get(uuid)["pid"]!.GetValue<int>();
        d.Kill();
        ProcessCommandRunner.Instance.Run(["runc", "--root", d.RuncRoot, "kill", uuid, "KILL"]);
        for (int i = 0; i < 100 && Alive(pid); i++)
            Thread.Sleep(50);
        d.Start();
        var vm = d.Get(uuid);
        Assert.Equal("stopped", vm["state"]!.GetValue<string>());
        Assert.DoesNotContain(uuid, d.RuncContainers());
        Assert.Equal(0, d.Run("vmadm", "start", uuid).ExitCode);
        Assert.Equal("running", d.Get(uuid)["state"]!.GetValue<string>());
    }

    [PrivilegedFact]
    public void Node_boot_starts_autoboot_vms_only()
    {
        using var d = new NodeDaemon();
        string boots = d.Create(Joyent("boots"));
        string stays = d.Create(Joyent("stays", autoboot: false));
        Assert.Equal("stopped", d.Get(stays)["state"]!.GetValue<string>());
        // A reboot: the daemon and every zone go away, and /run (the boot marker) is emptied.
        d.Stop();
        foreach (string id in d.RuncContainers())
            ProcessCommandRunner.Instance.Run(["runc", "--root", d.RuncRoot, "delete", "-f", id]);
        File.Delete(Path.Combine(d.RunDir, "booted"));
        d.Start();
        Assert.Equal("running", d.Get(boots)["state"]!.GetValue<string>());
        Assert.Equal("stopped", d.Get(stays)["state"]!.GetValue<string>());
        // A plain daemon restart is not a node boot: a VM stopped by hand stays stopped.
        Assert.Equal(0, d.Run("vmadm", "stop", boots).ExitCode);
        d.Kill();
        d.Start();
        Assert.Equal("stopped", d.Get(boots)["state"]!.GetValue<string>());
    }

    /// <summary>
    /// Create, update and delete loops from a separate process, with the daemon SIGKILLed at a
    /// random moment in each round; after every restart the state must be consistent.
    /// </summary>
    [PrivilegedFact]
    public void Random_kills_during_create_update_delete_leave_consistent_state()
    {
        using var d = new NodeDaemon();
        var random = new Random(20261126);
        for (int round = 0; round < 12; round++)
        {
            using var load = StartLoad(d, round);
            Thread.Sleep(random.Next(50, 600));
            d.Kill();
            try { load.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            load.WaitForExit();
            d.Start();
            AssertConsistent(d);
        }
        var list = d.Run("vmadm", "list", "-H", "-o", "uuid,state");
        Assert.Equal(0, list.ExitCode);
        foreach (string line in list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Matches(@"^\S{36}\s+(running|stopped)$", line);
    }

    private static Process StartLoad(NodeDaemon d, int round)
    {
        string cli = $"dotnet {Path.Combine(AppContext.BaseDirectory, "solstice.dll")}";
        string script = $$"""
            set -u
            for i in 1 2 3 4 5 6; do
              u=$(echo '{"brand":"joyent","alias":"load{{round}}-'$i'","image_uuid":"{{BusyboxImage.Uuid}}","max_physical_memory":64}' | {{cli}} vmadm create 2>&1 | awk '{print $NF}')
              {{cli}} vmadm update "$u" max_lwps=$((1000 + i)) alias=updated{{round}} >/dev/null 2>&1
              if [ $((i % 2)) = 0 ]; then {{cli}} vmadm delete "$u" >/dev/null 2>&1; fi
            done
            """;
        var info = new ProcessStartInfo("/bin/bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["SOLSTICE_SOCKET"] = d.Socket;
        info.Environment["SOLSTICE_CONFIG"] = d.Pool.ConfigPath;
        var process = Process.Start(info)!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>Every record has its dataset and a settled state; every container and zone dataset has a record.</summary>
    private static void AssertConsistent(NodeDaemon d)
    {
        string mount = d.Pool.Pool.MountPoint;
        var records = Directory.GetFiles(Path.Combine(mount, "config"), "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (string? uuid in records)
        {
            var vm = d.Get(uuid!);
            Assert.Contains(vm["state"]!.GetValue<string>(), new[] { "running", "stopped" });
            Assert.True(Directory.Exists(Path.Combine(mount, uuid!, "root")), $"VM {uuid} has no zone root");
        }
        foreach (string container in d.RuncContainers())
            Assert.Contains(container, records);
        foreach (string dir in Directory.GetDirectories(mount))
        {
            string name = Path.GetFileName(dir);
            if (name.Length == 36 && name != BusyboxImage.Uuid)
                Assert.Contains(name, records);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(mount, "config"), "*.tmp"));
    }
}
