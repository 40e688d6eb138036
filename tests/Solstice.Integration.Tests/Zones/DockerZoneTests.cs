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
        Assert.Contains("GREETING=hi PWD=/srv UID=1000", File.ReadAllText(d.ConsoleLogPath(uuid)));
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);
    }

    /// <summary>
    /// What Triton's docker layer passes to dockerinit in internal_metadata overrides the image:
    /// the case (docker:cmd ["sleep","1000"] on an image whose own command exits), then
    /// entrypoint, cmd, env, workdir and user together.
    /// </summary>
    [PrivilegedFact]
    public void Docker_zone_honours_internal_metadata_cmd_entrypoint_env_workdir_and_user()
    {
        using var d = new NodeDaemon();
        using var dir = new TempDirectory();
        var builder = new OciImageBuilder();
        builder.RuntimeConfig["Cmd"] = new JsonArray("exit 3");
        builder.Layer()
            .Directory("bin").Directory("etc").Directory("srv").Directory("tmp").Directory("proc").Directory("sys").Directory("dev").Directory("home").Directory("home/ops")
            .File("bin/busybox", File.ReadAllBytes(File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox"), (UnixFileMode)0x1ED)
            .Symlink("bin/sh", "busybox").Symlink("bin/echo", "busybox").Symlink("bin/id", "busybox").Symlink("bin/pwd", "busybox")
            .Symlink("bin/sleep", "busybox").Symlink("bin/cat", "busybox")
            .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/srv:/bin/sh\nops:x:1001:1001:ops:/home/ops:/bin/sh\n")
            .File("etc/group", "root:x:0:\napp:x:1000:\nops:x:1001:\nwheel:x:10:ops\n");
        builder.WriteOciLayout(Path.Combine(dir.Path, "layout"));
        var installed = d.Run("imgadm", "install-docker", Path.Combine(dir.Path, "layout"), "solstice/meta:latest");
        Assert.True(installed.ExitCode == 0, installed.Error);
        string image = new ImageStore(d.Pool.Pool).List().Single(i => DockerRuntimeConfig.FromManifest(i.Manifest) is not null).Manifest.Uuid.ToString();
        JsonObject Docker(string alias, JsonObject metadata) => new()
        {
            ["brand"] = "lx", ["kernel_version"] = "4.3.0", ["docker"] = true, ["alias"] = alias,
            ["image_uuid"] = image, ["max_physical_memory"] = 64, ["internal_metadata"] = metadata,
        };

        // docker:cmd alone runs after the image's entrypoint (/bin/sh -c), replacing the image's cmd
        // (busybox sh execs a lone command, so sleep itself is PID 1).
        string sleeper = d.Create(Docker("sleeper", new JsonObject { ["docker:cmd"] = "[\"sleep 1000\"]" }));
        Assert.Equal("running", d.Get(sleeper)["state"]!.GetValue<string>());
        Assert.Equal((0, "sleep\01000\0"), d.Zlogin(sleeper, "cat /proc/1/cmdline"));
        Assert.Equal(0, d.Run("vmadm", "delete", sleeper).ExitCode);

        // docker:entrypoint replaces the image's entrypoint and drops its cmd; docker:env is merged
        // over the image's env; "~" in docker:workdir is the user's home; name:group is looked up.
        string uuid = d.Create(Docker("overridden", new JsonObject
        {
            ["docker:entrypoint"] = "[\"/bin/sh\",\"-c\",\"echo \\\"GREETING=$GREETING EXTRA=$EXTRA HOME=$HOME PWD=$(pwd) ID=$(id -u):$(id -g)\\\"; exit 5\"]",
            ["docker:env"] = "[\"GREETING=from-metadata\",\"EXTRA=1\"]",
            ["docker:workdir"] = "~/work",
            ["docker:user"] = "ops:wheel",
        }));
        JsonObject vm = d.Get(uuid);
        for (int i = 0; i < 200 && vm["state"]!.GetValue<string>() != "stopped"; i++)
        {
            Thread.Sleep(50);
            vm = d.Get(uuid);
        }
        Assert.True(vm["exit_status"]?.GetValue<int>() == 5, vm.ToJsonString() + File.ReadAllText(d.Log));
        Assert.Contains("GREETING=from-metadata EXTRA=1 HOME=/home/ops PWD=/home/ops/work ID=1001:10",
            File.ReadAllText(d.ConsoleLogPath(uuid)));
        Assert.Equal(0, d.Run("vmadm", "delete", uuid).ExitCode);

        // A user the image does not have is refused with a sentence, not run as root.
        var bad = d.RunWithInput("vmadm", Docker("nouser", new JsonObject { ["docker:user"] = "nobody" }).ToJsonString(), "create");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("docker:user 'nobody': no user 'nobody' in the image's /etc/passwd", bad.Error + File.ReadAllText(d.Log));
    }
}
