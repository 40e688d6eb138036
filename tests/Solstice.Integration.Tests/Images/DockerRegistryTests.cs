using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Solstice.Images;
using Solstice.Images.Docker;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Images;

/// <summary>
/// Debian's docker-registry on 127.0.0.1 (temporary config and storage), an OCI layout built from
/// the host's static busybox pushed into it with skopeo, and imgadm importing it from there into a
/// loop pool: the layers land as docker images whose rootfs runs.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DockerRegistryTests
{
    [PrivilegedFact]
    public void Import_from_docker_registry_after_a_skopeo_push()
    {
        using var pool = new LoopPool();
        using var registry = new RegistryProcess(pool.Directory);
        string busybox = File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        var builder = new OciImageBuilder()
            .Layer().Directory("bin/").File("bin/busybox", File.ReadAllBytes(busybox), (UnixFileMode)0x1ED)
                .Symlink("bin/sh", "busybox").Symlink("bin/cat", "busybox").Symlink("bin/echo", "busybox")
                .Directory("etc/").File("etc/hostname", "busybox\n").File("etc/stale", "x")
            .Layer().Whiteout("etc", "stale").File("etc/motd", "pushed with skopeo\n");
        builder.RuntimeConfig["Cmd"] = new System.Text.Json.Nodes.JsonArray("cat", "/etc/motd");
        string layout = Path.Combine(pool.Directory, "layout");
        var built = builder.WriteOciLayout(layout, "v1");

        var push = Run("skopeo", "copy", "--insecure-policy", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{registry.Address}/tools/busybox:v1");
        Assert.True(push.ExitCode == 0, push.Error);

        Assert.Equal(0, CliHarness.Run(pool.ConfigPath, "imgadm", "sources", "-a", $"http://{registry.Address}", "-t", "docker").ExitCode);
        var import = CliHarness.Run(pool.ConfigPath, "imgadm", "import", "tools/busybox:v1");
        Assert.True(import.ExitCode == 0, import.Error + import.Out);

        var store = new ImageStore(pool.Pool);
        var top = DockerImporter.UuidFromDigests(built.LayerDigests);
        Assert.True(store.Exists(top), import.Out);
        string root = store.RootOf(top);
        Assert.Equal("pushed with skopeo\n", Run("chroot", root, "/bin/cat", "/etc/motd").Output);
        Assert.Equal("hi\n", Run("chroot", root, "/bin/sh", "-c", "echo hi").Output);
        Assert.False(File.Exists(Path.Combine(root, "etc", "stale")));
        Assert.True(File.Exists(Path.Combine(store.RootOf(DockerImporter.UuidFromDigests(built.LayerDigests.Take(1))), "etc", "stale")));
        Assert.Equal(["cat", "/etc/motd"], DockerRuntimeConfig.Of(store, top)!.Argv.Skip(2));
    }

    private static (int ExitCode, string Output, string Error) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    /// <summary>docker-registry serving a temporary directory on a free loopback port; killed on dispose.</summary>
    private sealed class RegistryProcess : IDisposable
    {
        private readonly Process _process;

        public RegistryProcess(string directory)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            Address = $"127.0.0.1:{port}";
            string data = Path.Combine(directory, "registry-data");
            Directory.CreateDirectory(data);
            string config = Path.Combine(directory, "registry.yml");
            File.WriteAllText(config, $"""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: {data}
                  delete:
                    enabled: true
                http:
                  addr: {Address}
                """);
            var info = new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            _process = Process.Start(info)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            using var http = new HttpClient();
            for (int i = 0; i < 100; i++)
            {
                try
                {
                    if (http.Send(new HttpRequestMessage(HttpMethod.Get, $"http://{Address}/v2/")).IsSuccessStatusCode)
                        return;
                }
                catch (HttpRequestException)
                {
                }
                if (_process.HasExited)
                    break;
                Thread.Sleep(100);
            }
            Dispose();
            throw new InvalidOperationException("docker-registry did not start");
        }

        public string Address { get; }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}
