using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Linux;
using Solstice.TestKit;
using Solstice.Core.Protocol;

namespace Solstice.Benchmarks;

/// <summary>
/// `vmadm create` (client call, to running) from an image installed a moment before, against one
/// installed at the start of the run, interleaved in the same run: whatever btrfs still has to do
/// after an install (a transaction to commit, delayed refs, dirty data of the kept file) would
/// show up as a slower first clone.
/// </summary>
public static class FreshImageBenchmarks
{
    public static void Run(string cli, int iterations)
    {
        using var loop = new LoopPool("4G");
        string work = Path.Combine(loop.Directory, "fresh");
        string tarball = MakeTarball(loop, work);
        string old = Install(cli, loop, tarball, "old");
        using var daemon = new DaemonProcess(loop);
        // One create and delete first, so neither side pays for the daemon's first zone.
        Delete(daemon, Create(daemon, old, "warm-up"));

        var fromOld = new Samples("vmadm create from an image installed at start");
        var fromFresh = new Samples("vmadm create from an image just installed");
        for (int i = 0; i < iterations; i++)
        {
            string fresh = Install(cli, loop, tarball, $"fresh-{i}");
            string? vm = null;
            fromFresh.Time(() => vm = Create(daemon, fresh, $"fresh-{i}"));
            Delete(daemon, vm!);
            ImageBenchmarks.Cli(cli, loop.ConfigPath, "imgadm", "delete", fresh);
            fromOld.Time(() => vm = Create(daemon, old, $"old-{i}"));
            Delete(daemon, vm!);
        }
        Console.WriteLine(fromOld);
        Console.WriteLine(fromFresh);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create from a just-installed image / from an old one: p50 {fromFresh.Percentile(50) / fromOld.Percentile(50):F2}x, " +
            $"p99 {fromFresh.Percentile(99) / fromOld.Percentile(99):F2}x (target <= 1x)"));
    }

    /// <summary>The busybox image's root plus 40 MB of files, as an uncompressed image tarball.</summary>
    private static string MakeTarball(LoopPool loop, string work)
    {
        var image = BusyboxImage.Install(loop.Pool, Guid.NewGuid().ToString());
        string root = Path.Combine(loop.Pool.PathOf(image with { Snapshot = null }), "root");
        string tree = Path.Combine(work, "tree");
        Directory.CreateDirectory(tree);
        Run(["cp", "-a", root + "/.", tree]);
        var random = new Random(5);
        byte[] data = new byte[16 * 1024];
        for (int d = 0; d < 20; d++)
        {
            string dir = Path.Combine(tree, "usr", "share", $"d{d}");
            Directory.CreateDirectory(dir);
            for (int f = 0; f < 125; f++)
            {
                random.NextBytes(data);
                File.WriteAllBytes(Path.Combine(dir, $"f{f}"), data);
            }
        }
        string tarball = Path.Combine(work, "image.tar");
        Run(["tar", "-C", tree, "--numeric-owner", "--sort=name", "-cf", tarball, "."]);
        return tarball;
    }

    private static string Install(string cli, LoopPool loop, string tarball, string name)
    {
        var uuid = Guid.NewGuid();
        string manifest = Path.Combine(Path.GetDirectoryName(tarball)!, $"{uuid}.json");
        File.WriteAllText(manifest, new JsonObject
        {
            ["v"] = 2,
            ["uuid"] = uuid.ToString(),
            ["owner"] = "00000000-0000-0000-0000-000000000000",
            ["name"] = name,
            ["version"] = "1.0.0",
            ["state"] = "active",
            ["disabled"] = false,
            ["public"] = true,
            ["published_at"] = "2026-01-01T00:00:00Z",
            ["type"] = "zone-dataset",
            ["os"] = "linux",
            ["files"] = new JsonArray(new JsonObject
            {
                ["sha1"] = Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(tarball))),
                ["size"] = new FileInfo(tarball).Length,
                ["compression"] = "none",
            }),
        }.ToJsonString());
        ImageBenchmarks.Cli(cli, loop.ConfigPath, "imgadm", "install", "-q", "-m", manifest, "-f", tarball);
        return uuid.ToString();
    }

    private static string Create(DaemonProcess daemon, string image, string alias)
    {
        var payload = new JsonObject
        {
            ["brand"] = "joyent",
            ["alias"] = alias,
            ["image_uuid"] = image,
            ["max_physical_memory"] = 64,
            ["autoboot"] = true,
        };
        var vm = NodeClient.CallOnce(NodeOps.VmCreate, new JsonObject { ["payload"] = payload }, daemon.Socket);
        return vm!["uuid"]!.GetValue<string>();
    }

    private static void Delete(DaemonProcess daemon, string vm) =>
        NodeClient.CallOnce(NodeOps.VmDelete, new JsonObject { ["uuid"] = vm }, daemon.Socket);

    private static void Run(IReadOnlyList<string> argv)
    {
        var result = ProcessCommandRunner.Instance.Run(argv);
        if (!result.Succeeded)
            throw new InvalidOperationException($"{string.Join(' ', argv)}: {result.StandardError}");
    }
}
