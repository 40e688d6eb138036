using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Images.Http;
using Solstice.Images.Imgapi;
using Solstice.Integration.Tests.Storage;
using Solstice.Linux.Interop;
using Solstice.TestKit;
using Xunit.Abstractions;

namespace Solstice.Integration.Tests.Images;

/// <summary>
/// Two nodes, each a real btrfs loop pool: images move between them over IMGAPI (import one way,
/// publish the other), and imports killed at random points leave no image behind and rerun cleanly.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ImgapiNodeTests(ITestOutputHelper output)
{
    private static CliOutcome Imgadm(LoopPool node, params string[] args) => CliHarness.Run(node.ConfigPath, ["imgadm", .. args]);

    [PrivilegedFact]
    public void Import_node_to_node_then_publish_back_with_identical_trees()
    {
        using var a = new LoopPool();
        using var b = new LoopPool();
        var storeA = new ImageStore(a.Pool);
        var storeB = new ImageStore(b.Pool);
        var image = new TestImageBuilder { Name = "from-a" }.Rootfs().File("./etc/owned", "x", uid: 1000, gid: 1000)
            .File("./bin/suid", "s", (UnixFileMode)0x9ED).Write(Path.Combine(a.Directory, "files"));
        storeA.Install(image.ManifestPath, image.FilePath);

        using var serverA = new ImgapiServer(storeA, new IPEndPoint(IPAddress.Loopback, 0));
        serverA.Start();
        Assert.Equal(0, Imgadm(b, "sources", "-a", serverA.Url).ExitCode);
        var import = Imgadm(b, "import", image.Uuid.ToString());
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Equal(TreeChecksum.Of(storeA.RootOf(image.Uuid)), TreeChecksum.Of(storeB.RootOf(image.Uuid)));
        Assert.True(b.Pool.Exists(storeB.SnapshotOf(image.Uuid)));
        var owned = FileStat.Lstat(Path.Combine(storeB.RootOf(image.Uuid), "etc", "owned"));
        Assert.Equal((1000u, 1000u), (owned.Uid, owned.Gid));
        Assert.Equal(0x9EDu, FileStat.Lstat(Path.Combine(storeB.RootOf(image.Uuid), "bin", "suid")).Mode & 0xFFF);

        var made = new TestImageBuilder { Name = "from-b", Compression = "xz" }.Rootfs().File("./etc/made-on", "b\n").Write(Path.Combine(b.Directory, "files"));
        using var serverB = new ImgapiServer(storeB, new IPEndPoint(IPAddress.Loopback, 0));
        serverB.Start();
        var publish = Imgadm(b, "publish", "-m", made.ManifestPath, "-f", made.FilePath, serverA.Url);
        Assert.True(publish.ExitCode == 0, publish.Error);
        Assert.True(storeA.Exists(made.Uuid));
        Assert.Equal("b\n", File.ReadAllText(Path.Combine(storeA.RootOf(made.Uuid), "etc", "made-on")));
        Assert.Equal(File.ReadAllBytes(made.FilePath), File.ReadAllBytes(storeA.FileOf(made.Uuid)));

        // And back: B imports what was published to A, and the trees agree.
        var back = Imgadm(b, "import", made.Uuid.ToString());
        Assert.True(back.ExitCode == 0, back.Error);
        Assert.Equal(TreeChecksum.Of(storeA.RootOf(made.Uuid)), TreeChecksum.Of(storeB.RootOf(made.Uuid)));
    }

    [PrivilegedFact]
    public void An_import_killed_at_any_point_leaves_no_image_and_a_rerun_succeeds()
    {
        using var node = new LoopPool("2G");
        var store = new ImageStore(node.Pool);
        var builder = new TestImageBuilder { Name = "big" }.Directory("./");
        var letters = new Random(3);
        for (int d = 0; d < 40; d++)
        {
            builder.Directory($"./d{d}");
            for (int f = 0; f < 60; f++)
                builder.File($"./d{d}/f{f}", new string(Enumerable.Range(0, 2000).Select(_ => (char)('a' + letters.Next(26))).ToArray()));
        }
        var image = builder.Write(Path.Combine(node.Directory, "files"));
        byte[] file = File.ReadAllBytes(image.FilePath);
        using var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), request => Serve(request, image, file));
        server.Start();
        Assert.Equal(0, Imgadm(node, "sources", "-a", server.Url).ExitCode);

        var timer = Stopwatch.StartNew();
        RunImport(node, image.Uuid, killAfter: null);
        double full = timer.Elapsed.TotalMilliseconds;
        Assert.True(store.Exists(image.Uuid));
        string reference = TreeChecksum.Of(store.RootOf(image.Uuid));
        Assert.Equal(0, Imgadm(node, "delete", image.Uuid.ToString()).ExitCode);

        var random = new Random(11);
        for (int round = 0; round < 8; round++)
        {
            int delay = (int)(full * (0.05 + 0.85 * random.NextDouble()));
            RunImport(node, image.Uuid, killAfter: delay);
            output.WriteLine($"killed at {delay} of {full:F0} ms: staged {Directory.EnumerateFileSystemEntries(store.PartialDirectory).Count()}, " +
                $"dataset {node.Pool.Exists(store.DatasetOf(image.Uuid))}, final {node.Pool.Exists(store.SnapshotOf(image.Uuid))}, indexed {store.Find(image.Uuid) is not null}");
            var listed = Imgadm(node, "list", "-H", "-o", "uuid").Out;
            if (store.Find(image.Uuid) is not null)
            {
                // Killed after the index entry was written: the image is whole.
                Assert.True(store.Exists(image.Uuid));
                Assert.Equal(0, Imgadm(node, "delete", image.Uuid.ToString()).ExitCode);
                continue;
            }
            Assert.DoesNotContain(image.Uuid.ToString(), listed);
            Assert.Equal(3, Imgadm(node, "get", image.Uuid.ToString()).ExitCode);
            RunImport(node, image.Uuid, killAfter: null);
            Assert.True(store.Exists(image.Uuid), $"rerun after a kill at {delay} ms did not install");
            Assert.Empty(Directory.EnumerateFileSystemEntries(store.PartialDirectory));
            Assert.Equal(reference, TreeChecksum.Of(store.RootOf(image.Uuid)));
            Assert.Equal(0, Imgadm(node, "delete", image.Uuid.ToString()).ExitCode);
        }
        Assert.Equal(["zones", "zones/archive", "zones/config", "zones/cores", "zones/images"],
            node.Pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>The manifest, and the file trickled out so a kill can land in the download as well as after it.</summary>
    private static HttpResponse Serve(HttpRequest request, TestImage image, byte[] file)
    {
        if (request.Path == "/ping")
            return HttpResponse.Json(200, new JsonObject { ["ping"] = "pong", ["imgapi"] = true });
        if (request.Path == $"/images/{image.Uuid}")
            return HttpResponse.Json(200, image.Manifest.DeepClone());
        if (request.Path == $"/images/{image.Uuid}/file")
            return new HttpResponse { BodyStream = new TrickleStream(file), BodyLength = file.Length };
        return HttpResponse.Json(404, new JsonObject { ["code"] = "ResourceNotFound", ["message"] = "no" });
    }

    private static void RunImport(LoopPool node, Guid uuid, int? killAfter)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "solstice.dll"), "imgadm", "import", "-q", uuid.ToString() })
            info.ArgumentList.Add(arg);
        info.Environment["SOLSTICE_CONFIG"] = node.ConfigPath;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay)
        {
            if (!process.WaitForExit(delay))
                process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return;
        }
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "import did not finish");
        Assert.True(process.ExitCode == 0, $"import failed: {error.GetAwaiter().GetResult()}{output.GetAwaiter().GetResult()}");
    }

    private sealed class TrickleStream(byte[] data) : ReadOnlyStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            if (_position >= data.Length)
                return 0;
            Thread.Sleep(2);
            int n = Math.Min(Math.Min(buffer.Length, 16 * 1024), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
