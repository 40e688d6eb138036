using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>
/// imgadm through the AOT binary, end to end (process start included): `imgadm list` with many
/// installed images, and `imgadm install` throughput against `tar -x` of the same file into the
/// same pool. Installed images are made as ImageStore leaves them (dataset, @final, &lt;uuid&gt;.json)
/// without going through install, so thousands can be set up in seconds.
/// </summary>
public static class ImageBenchmarks
{
    public static void Run(int iterations, int images = 10_000)
    {
        string cli = Path.Combine(Repo.Root, "artifacts", "bin", "solstice");
        if (!File.Exists(cli))
        {
            Console.Error.WriteLine($"images: {cli} is missing; run scripts/build.sh first");
            return;
        }
        using var loop = new LoopPool("8G");
        Console.WriteLine($"pool: {loop.Pool.MountPoint} driver={loop.Pool.Driver.Info.Name}; cli: {cli}");
        ListBenchmark(loop, cli, images, Math.Max(iterations, 10));
        InstallBenchmark(loop, cli, Math.Clamp(iterations / 6, 3, 10));
        FreshImageBenchmarks.Run(cli, Math.Max(iterations, 10));
    }

    private static void ListBenchmark(LoopPool loop, string cli, int count, int iterations)
    {
        var pool = loop.Pool;
        var index = pool.Root.Child("images");
        string indexDir = pool.PathOf(index);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            var uuid = Guid.NewGuid();
            var dataset = pool.Root.Child(uuid.ToString());
            pool.Create(dataset);
            Directory.CreateDirectory(Path.Combine(pool.PathOf(dataset), "root"));
            pool.Snapshot(dataset with { Snapshot = "final" });
            File.WriteAllText(Path.Combine(indexDir, $"{uuid}.json"), Manifest(uuid, i));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"set up {count} installed images in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));

        var cold = new Samples($"imgadm list, {count} images, first (builds cache)");
        cold.Time(() => Cli(cli, loop.ConfigPath, "imgadm", "list"));
        var warm = new Samples($"imgadm list, {count} images");
        var json = new Samples($"imgadm list -j, {count} images");
        var filtered = new Samples($"imgadm list -H -o uuid name=~img-1, {count}");
        var perFile = new Samples($"read+parse {count} <uuid>.json (pre-cache path)");
        for (int i = 0; i < iterations; i++)
        {
            warm.Time(() => Cli(cli, loop.ConfigPath, "imgadm", "list"));
            json.Time(() => Cli(cli, loop.ConfigPath, "imgadm", "list", "-j"));
            filtered.Time(() => Cli(cli, loop.ConfigPath, "imgadm", "list", "-H", "-o", "uuid", "name=~img-1"));
        }
        for (int i = 0; i < Math.Min(iterations, 5); i++)
        {
            perFile.Time(() =>
            {
                foreach (string path in Directory.EnumerateFiles(indexDir, "*.json"))
                    JsonNode.Parse(File.ReadAllText(path));
            });
        }
        string output = Cli(cli, loop.ConfigPath, "imgadm", "list");
        Console.WriteLine($"imgadm list printed {output.Count(c => c == '\n') - 1} rows");
        foreach (var s in new[] { cold, warm, json, filtered, perFile })
            Console.WriteLine(s);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imgadm list p50 {warm.Percentile(50):F1} ms (target <= 100 ms)"));
    }

    private static void InstallBenchmark(LoopPool loop, string cli, int runs)
    {
        var pool = loop.Pool;
        var work = pool.Root.Child("bench");
        pool.Create(work);
        string dir = pool.PathOf(work);
        string tree = Path.Combine(dir, "tree");
        long bytes = MakeTree(tree);
        foreach (string compression in new[] { "gzip", "none", "zstd" })
        {
            string file = Path.Combine(dir, $"image.tar.{compression}");
            string flag = compression switch { "gzip" => "-z", "zstd" => "--zstd", _ => "" };
            Run("tar", ["-C", tree, "--numeric-owner", "--sort=name", flag, "-cf", file, "."]);
            var tar = new Samples($"tar -x{flag.TrimStart('-')} into a new dataset ({compression})");
            var imgadm = new Samples($"imgadm install ({compression})");
            for (int i = 0; i < runs; i++)
            {
                var target = pool.Root.Child($"tarx{compression}{i}");
                pool.Create(target);
                Settle(pool);
                tar.Time(() => Run("tar", ["-C", pool.PathOf(target), "--numeric-owner", flag, "-xf", file]));
                pool.Destroy(target, recursive: true);

                var uuid = Guid.NewGuid();
                string manifest = Path.Combine(dir, $"{uuid}.json");
                File.WriteAllText(manifest, Manifest(uuid, i, file, compression));
                Settle(pool);
                imgadm.Time(() => Cli(cli, loop.ConfigPath, "imgadm", "install", "-q", "-m", manifest, "-f", file));
                Cli(cli, loop.ConfigPath, "imgadm", "delete", uuid.ToString());
            }
            Console.WriteLine(tar);
            Console.WriteLine(imgadm);
            double mb = bytes / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {compression}: {new FileInfo(file).Length / 1e6:F0} MB file, {mb:F0} MB tree: tar {mb / tar.Percentile(50) * 1000:F0} MB/s, " +
                $"imgadm {mb / imgadm.Percentile(50) * 1000:F0} MB/s, ratio {tar.Percentile(50) / imgadm.Percentile(50):F2}x (target >= 0.8x)"));
        }
    }

    /// <summary>
    /// Waits for btrfs to finish removing deleted datasets and writes dirty data out, so that
    /// neither side of a pair pays for what the run before it left behind.
    /// </summary>
    private static void Settle(Storage.StoragePool pool)
    {
        Run("btrfs", ["subvolume", "sync", pool.MountPoint]);
        Run("sync", []);
    }

    /// <summary>A rootfs-like tree: many small text files in nested directories, some large files, symlinks.</summary>
    private static long MakeTree(string root)
    {
        var random = new Random(7);
        long total = 0;
        var words = Enumerable.Range(0, 512).Select(i => $"word{i * 7919 % 10007}").ToArray();
        for (int d = 0; d < 200; d++)
        {
            string sub = Path.Combine(root, $"usr/lib/pkg{d % 20}/mod{d}");
            Directory.CreateDirectory(sub);
            for (int f = 0; f < 100; f++)
            {
                var text = new StringBuilder();
                int size = random.Next(512, 16384);
                while (text.Length < size)
                    text.Append(words[random.Next(words.Length)]).Append(' ');
                File.WriteAllText(Path.Combine(sub, $"file{f}.txt"), text.ToString());
                total += text.Length;
            }
            File.CreateSymbolicLink(Path.Combine(sub, "link"), "file0.txt");
        }
        Directory.CreateDirectory(Path.Combine(root, "opt/big"));
        var chunk = new byte[1 << 20];
        for (int b = 0; b < 12; b++)
        {
            using var stream = File.Create(Path.Combine(root, "opt/big", $"blob{b}"));
            for (int m = 0; m < 10; m++)
            {
                // Half random, half zeros: a compressible binary.
                random.NextBytes(chunk.AsSpan(0, chunk.Length / 2));
                stream.Write(chunk);
                total += chunk.Length;
            }
        }
        return total;
    }

    private static string Manifest(Guid uuid, int i, string? file = null, string compression = "gzip")
    {
        string sha1 = file is null ? new string('0', 40) : Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(file)));
        long size = file is null ? 1 : new FileInfo(file).Length;
        var published = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i);
        return new JsonObject
        {
            ["v"] = 2,
            ["uuid"] = uuid.ToString(),
            ["owner"] = "00000000-0000-0000-0000-000000000000",
            ["name"] = $"img-{i % 97}",
            ["version"] = $"1.{i}.0",
            ["state"] = "active",
            ["disabled"] = false,
            ["public"] = true,
            ["published_at"] = published.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["type"] = "zone-dataset",
            ["os"] = "linux",
            ["description"] = "A benchmark image with a description of typical length for a base image.",
            ["requirements"] = new JsonObject { ["brand"] = "joyent", ["min_platform"] = new JsonObject { ["7.0"] = "20200101T000000Z" } },
            ["tags"] = new JsonObject { ["role"] = "os", ["group"] = $"g{i % 13}" },
            ["files"] = new JsonArray(new JsonObject { ["sha1"] = sha1, ["size"] = size, ["compression"] = compression }),
        }.ToJsonString();
    }

    internal static string Cli(string cli, string config, string tool, params string[] args)
    {
        var info = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(tool);
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["SOLSTICE_CONFIG"] = config;
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: exit {process.ExitCode}: {error.GetAwaiter().GetResult()}");
        return output;
    }

    private static void Run(string file, IEnumerable<string> args)
    {
        var argv = new List<string> { file };
        argv.AddRange(args.Where(a => a.Length > 0));
        var result = ProcessCommandRunner.Instance.Run(argv);
        if (!result.Succeeded)
            throw new InvalidOperationException($"{string.Join(' ', argv)}: {result.StandardError}");
    }
}
