using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Images.Docker;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>A docker image (an OCI layout made here from busybox) runs as a `docker: true` lx zone.</summary>
[Collection("Zones")]
public sealed class DockerZoneTests
{
    [PrivilegedFact]
    public void Docker_zone_runs_entrypoint_and_cmd_with_env_workdir_and_user_and_reports_the_exit_status()
    {
        using var d = new NodeDaemon();
        using var dir = new TempDirectory();
        var builder = new OciImageBuilder();
        builder.RuntimeConfig["Cmd"] = new JsonArray("echo \"GREETING=$GREETING PWD=$(pwd) UID=$(id -u)\"; exit 3");
        builder.Layer()
            .Directory("bin").Directory("etc").Directory("srv").Directory("tmp").Directory("proc").Directory("sys").Directory("dev")
            .File("bin/busybox", File.ReadAllBytes(File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox"), (UnixFileMode)0x1ED)
            .Symlink("bin/sh", "busybox").Symlink("bin/echo", "busybox").Symlink("bin/id", "busybox").Symlink("bin/pwd", "busybox")
            .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/srv:/bin/sh\n");
        builder.WriteOciLayout(Path.Combine(dir.Path, "layout"));
        var installed = d.Run("imgadm", "install-docker", Path.Combine(dir.Path, "layout"), "solstice/test:latest");
        Assert.True(installed.ExitCode == 0, installed.Error);
        var image = new ImageStore(d.Pool.Pool).List().Single(i => DockerRuntimeConfig.FromManifest(i.Manifest) is not null);

        string uuid = d.Create(new JsonObject
        {
            ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["docker"] = true, ["alias"] = "dockerized",
            ["image_uuid"] = image.Manifest.Uuid.ToString(), ["max_physical_memory"] = 64,
        });
        JsonObject vm = d.Get(uuid);
        for (int i = 0; i < 200 && vm["state"]!.GetValue<string>() != "stopped"; i++)
        {
            Thread.Sleep(50);
            vm = d.Get(uuid);
        }
        Assert.Equal("stopped", vm["state"]!.GetValue<string>());
        Assert.True(vm["exit_status"]?.GetValue<int>() == 3, vm.ToJsonString() + File.ReadAllText(d.Log));
        Assert.Contains("GREETING=hi PWD=/srv UID=1000", File.ReadAllText($"{d.Pool.Pool.MountPoint}/{uuid}/logs/console.log"));
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }
}
