using System.Globalization;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>
/// Snapshot and clone latency against data size (they must not grow with it), create/destroy
/// throughput, our ioctl path against spawning btrfs(8) for the same snapshot, and snapshot
/// latency under churn with quotas on (classic qgroups degrade there; simple quotas must not).
/// </summary>
public static class StorageBenchmarks
{
    public static void Run(int iterations)
    {
        using var loop = new LoopPool("4G");
        var pool = loop.Pool;
        Console.WriteLine($"pool: {pool.MountPoint} driver={pool.Driver.Info.Name} quotas={pool.Driver.Info.Quotas}");
        var results = new List<Samples>();
        var sizes = new[] { ("1MB", 1L << 20), ("1GB", 1L << 30) };
        foreach (var (label, bytes) in sizes)
        {
            var source = DatasetName.Parse($"zones/data{label}");
            pool.Create(source);
            Fill(Path.Combine(pool.PathOf(source)), bytes);
            results.Add(new Samples($"snapshot, dataset with {label}"));
            results.Add(new Samples($"clone, dataset with {label}"));
        }
        // Interleaved, so both sizes see the same number of existing subvolumes.
        for (int i = 0; i < iterations; i++)
        {
            for (int s = 0; s < sizes.Length; s++)
            {
                string label = sizes[s].Item1;
                var snap = DatasetName.Parse($"zones/data{label}@s{i}");
                results[2 * s].Time(() => pool.Snapshot(snap));
                results[2 * s + 1].Time(() => pool.Clone(snap, DatasetName.Parse($"zones/clone{label}-{i}")));
            }
        }

        var create = new Samples("dataset create");
        var destroy = new Samples("dataset destroy");
        for (int i = 0; i < iterations * 4; i++)
            create.Time(() => pool.Create(DatasetName.Parse($"zones/churn{i}")));
        for (int i = 0; i < iterations * 4; i++)
            destroy.Time(() => pool.Destroy(DatasetName.Parse($"zones/churn{i}"), recursive: false));
        results.Add(create);
        results.Add(destroy);

        var raw = new Samples("raw `btrfs subvolume snapshot -r` (spawned)");
        string rawSource = pool.PathOf(DatasetName.Parse("zones/data1GB"));
        Directory.CreateDirectory(Path.Combine(pool.MountPoint, "rawsnaps"));
        for (int i = 0; i < iterations; i++)
            raw.Time(() => ProcessCommandRunner.Instance.Run(["btrfs", "-q", "subvolume", "snapshot", "-r", rawSource, Path.Combine(pool.MountPoint, "rawsnaps", $"r{i}")]));
        results.Add(raw);

        var churnFirst = new Samples("snapshot churn (quotas on), first 100 of 500");
        var churn = new Samples("snapshot churn (quotas on), last 100 of 500");
        var churnSource = DatasetName.Parse("zones/data1MB");
        for (int i = 0; i < 500; i++)
        {
            var name = churnSource with { Snapshot = $"churn{i}" };
            if (i >= 400)
                churn.Time(() => pool.Snapshot(name));
            else if (i < 100)
                churnFirst.Time(() => pool.Snapshot(name));
            else
                pool.Snapshot(name);
            File.WriteAllText(Path.Combine(pool.PathOf(churnSource), "mutate"), i.ToString(CultureInfo.InvariantCulture));
        }
        results.Add(churnFirst);
        results.Add(churn);

        foreach (var result in results)
            Console.WriteLine(result);
        double snapRatio = results[2].Percentile(50) / results[0].Percentile(50);
        double cloneRatio = results[3].Percentile(50) / results[1].Percentile(50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1GB/1MB p50 ratio: snapshot {snapRatio:F2}x, clone {cloneRatio:F2}x (target <= 2x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create throughput {1000 / create.Mean:F0}/s, destroy throughput {1000 / destroy.Mean:F0}/s"));
    }

    private static void Fill(string directory, long bytes)
    {
        var chunk = new byte[4 << 20];
        new Random(1).NextBytes(chunk);
        using var stream = File.Create(Path.Combine(directory, "data"));
        for (long written = 0; written < bytes; written += chunk.Length)
            stream.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        stream.Flush(flushToDisk: true);
    }
}
