using System.Diagnostics;
using Solstice.Cli;
using Solstice.Images;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Images;

/// <summary>
/// zvol images on a real loop-file btrfs pool: imgadm installs the disk as disk.raw in the image's
/// subvolume, NOCOW (lsattr shows C) and sparse; lists, gets and deletes it; refuses a disk larger
/// than image_size leaving nothing behind.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ZvolImageBtrfsTests
{
    private const long MiB = 1 << 20;
    private static readonly string[] s_layout = ["zones", "zones/archive", "zones/config", "zones/cores", "zones/images"];

    private static IReadOnlyList<string> Datasets(LoopPool pool) =>
        pool.Pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    private static void AssertNothingInstalled(LoopPool pool, ImageStore store)
    {
        Assert.Equal(s_layout, Datasets(pool));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.file"));
    }

    /// <summary>The disk is image_size long, holds raw then zeroes, is NOCOW, and only its data blocks are allocated.</summary>
    private static void AssertDisk(string disk, byte[] raw, long imageSizeMiB)
    {
        var info = new FileInfo(disk);
        Assert.Equal(imageSizeMiB * MiB, info.Length);
        using (var file = File.OpenRead(disk))
        {
            byte[] head = new byte[raw.Length];
            file.ReadExactly(head);
            Assert.Equal(raw, head);
        }
        string attributes = Run("lsattr", disk).Output.Split(' ')[0];
        Assert.Contains('C', attributes);
        long allocated = long.Parse(Run("stat", "-c", "%b", disk).Output.Trim()) * 512;
        Assert.True(allocated < 1 * MiB, $"{allocated} bytes allocated of {info.Length}");
    }

    [PrivilegedFact]
    public void Imgadm_installs_lists_gets_and_deletes_a_raw_gz_zvol_image()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        byte[] raw = ZvolImages.RawDisk(3 * MiB);
        var image = ZvolImages.Write(Path.Combine(pool.Directory, "files"), TestImageBuilder.Compress(raw, "gzip"), 64, "gzip");

        var install = Cli(pool, "imgadm", "install", "-m", image.ManifestPath, "-f", image.FilePath);
        Assert.True(install.ExitCode == 0, install.Error);
        string dataset = store.DatasetOf(image.Uuid).Dataset;
        Assert.Equal([.. s_layout, dataset, $"{dataset}@final"], Datasets(pool).OrderBy(n => n.Contains(image.Uuid.ToString())));
        AssertDisk(store.ZvolDiskPath(image.Uuid)!, raw, 64);
        Assert.Equal("test-disk  zvol\n", Cli(pool, "imgadm", "list", "-H", "-o", "name,type").Out);
        var get = Cli(pool, "imgadm", "get", image.Uuid.ToString());
        Assert.True(get.ExitCode == 0, get.Error);
        Assert.Contains("\"image_size\": 64", get.Out);

        Assert.Equal(0, Cli(pool, "imgadm", "delete", image.Uuid.ToString()).ExitCode);
        Assert.Null(store.ZvolDiskPath(image.Uuid));
        AssertNothingInstalled(pool, store);
    }

    [PrivilegedFact]
    public void A_qcow2_zvol_image_becomes_a_sparse_nocow_raw_disk()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        byte[] raw = ZvolImages.RawDisk(3 * MiB);
        byte[] qcow2 = ZvolImages.Qcow2(raw, Path.Combine(pool.Directory, "scratch"));
        var image = ZvolImages.Write(Path.Combine(pool.Directory, "files"), TestImageBuilder.Compress(qcow2, "zstd"), 32, "zstd");

        store.Install(image.ManifestPath, image.FilePath);

        string disk = store.ZvolDiskPath(image.Uuid)!;
        Assert.Equal(["disk.raw"], Directory.GetFileSystemEntries(Path.GetDirectoryName(disk)!).Select(Path.GetFileName));
        AssertDisk(disk, raw, 32);
    }

    [PrivilegedFact]
    public void A_disk_larger_than_image_size_leaves_nothing()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        var image = ZvolImages.Write(Path.Combine(pool.Directory, "files"), TestImageBuilder.Compress(ZvolImages.RawDisk(3 * MiB), "gzip"), 2, "gzip");

        var install = Cli(pool, "imgadm", "install", "-m", image.ManifestPath, "-f", image.FilePath);

        Assert.NotEqual(0, install.ExitCode);
        Assert.Contains($"image {image.Uuid}: the disk image holds more than its image_size of 2 MiB; refusing it", install.Error);
        AssertNothingInstalled(pool, store);
    }

    private static (int ExitCode, string Out, string Error) Cli(LoopPool pool, string tool, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => Stream.Null, () => Stream.Null, pool.ConfigPath);
        int code = Program.Run(tool, args, context);
        return (code, output.ToString(), error.ToString());
    }

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
