using Solstice.Core;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Images.Tests;

/// <summary>ImageStore over a dir-driver pool in a temp directory: the same policy code as on btrfs, no root needed.</summary>
public sealed class ImageStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-images");
    private readonly StoragePool _pool;
    private readonly ImageStore _store;
    private readonly string _files;

    public ImageStoreTests()
    {
        _pool = new PoolManager(ProcessCommandRunner.Instance).Import(
            new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") });
        _store = new ImageStore(_pool);
        _files = _dir.Combine("files");
    }

    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<string> Datasets() =>
        _pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name).ToList();

    private static readonly string[] s_layout = ["zones", "zones/archive", "zones/config", "zones/cores", "zones/images"];

    private void AssertNothingInstalled()
    {
        Assert.Equal(s_layout, Datasets());
        Assert.Empty(Directory.EnumerateFiles(_store.IndexDirectory, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(_store.IndexDirectory, "*.file"));
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Install_creates_the_dataset_its_final_snapshot_the_rootfs_and_the_index_entry()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        var installed = _store.Install(image.ManifestPath, image.FilePath);

        string uuid = image.Uuid.ToString();
        Assert.Equal(image.Uuid, installed.Uuid);
        Assert.Equal([.. s_layout, $"zones/{uuid}", $"zones/{uuid}@final"], Datasets().Order(StringComparer.Ordinal).OrderBy(n => n.Contains(uuid)));
        Assert.Equal(_dir.Combine("zones", uuid, "root"), _store.RootOf(image.Uuid));
        Assert.Equal("test\n", File.ReadAllText(_dir.Combine("zones", uuid, "root", "etc", "hostname")));
        Assert.True(_store.Exists(image.Uuid));
        Assert.Equal([$"{uuid}.json"], Directory.GetFiles(_store.IndexDirectory, "*.json").Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(image.FilePath), File.ReadAllBytes(_store.FileOf(image.Uuid)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.PartialDirectory));
        var stored = _store.Get(image.Uuid);
        Assert.Equal("test", stored.Manifest.Json["tags"]!["role"]!.GetValue<string>());
        Assert.Equal("zones", stored.Pool);
    }

    [Fact]
    public void A_wrong_sha1_installs_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        string actual = image.Manifest["files"]![0]!["sha1"]!.GetValue<string>();
        image.Manifest["files"]![0]!["sha1"] = new string('0', 40);
        image.SaveManifest();

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal($"image {image.Uuid}: sha1 mismatch: expected {new string('0', 40)}, got {actual} ({image.FilePath})", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_tampered_file_is_reported_as_a_sha1_mismatch_even_when_its_tarball_breaks_first()
    {
        // The SHA-1 is checked while extracting: whichever fails first, the mismatch is what is reported.
        var image = new TestImageBuilder { Compression = "none" }.Rootfs().File("./opt/data", new string('x', 200_000)).Write(_files);
        byte[] bytes = File.ReadAllBytes(image.FilePath);
        bytes.AsSpan(0, 512).Fill((byte)'#');
        File.WriteAllBytes(image.FilePath, bytes);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.StartsWith($"image {image.Uuid}: sha1 mismatch: expected ", ex.Message);
        AssertNothingInstalled();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.PartialDirectory));
    }

    [Fact]
    public void A_tampered_file_with_a_valid_tarball_is_extracted_then_removed_and_never_snapshotted()
    {
        var image = new TestImageBuilder { Compression = "none" }.Rootfs().File("./etc/motd", "genuine\n").Write(_files);
        byte[] bytes = File.ReadAllBytes(image.FilePath);
        int at = bytes.AsSpan().IndexOf("genuine"u8);
        "forged!"u8.CopyTo(bytes.AsSpan(at));
        File.WriteAllBytes(image.FilePath, bytes);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.StartsWith($"image {image.Uuid}: sha1 mismatch: expected ", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_truncated_file_installs_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        byte[] bytes = File.ReadAllBytes(image.FilePath);
        File.WriteAllBytes(image.FilePath, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal($"image {image.Uuid}: size mismatch: expected {bytes.Length} bytes, got {bytes.Length / 2} ({image.FilePath})", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_truncated_tarball_with_a_matching_manifest_is_rolled_back()
    {
        var builder = new TestImageBuilder().Rootfs().File("big", new string('x', 200_000));
        byte[] full = TestImageBuilder.Compress(builder.Tar(), "gzip");
        var image = builder.Write(_files, full[..(full.Length - 200)]);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.StartsWith($"image {image.Uuid}: corrupt gzip tarball: ", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_hostile_tarball_is_rolled_back()
    {
        var image = new TestImageBuilder().Rootfs().Directory("./dev").CharacterDevice("./dev/null").Write(_files);
        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal($"image {image.Uuid}: refusing tarball entry './dev/null': device nodes are not allowed in images", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void An_invalid_manifest_lists_every_problem_and_installs_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        image.Manifest["type"] = "lxd";
        image.Manifest.Remove("os");
        image.SaveManifest();
        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal($"image {image.Uuid}: invalid manifest:\n" +
            "  type: 'lxd' is not one of zone-dataset, lx-dataset, docker, zvol, other\n  os: is required", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void Installing_twice_is_refused()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal(ErrorCode.AlreadyExists, ex.Code);
        Assert.Equal($"image {image.Uuid} is already installed on pool 'zones'", ex.Message);
    }

    [Fact]
    public void A_partial_dataset_left_by_an_interrupted_install_is_replaced()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _pool.Create(_store.DatasetOf(image.Uuid));
        File.WriteAllText(Path.Combine(_pool.PathOf(_store.DatasetOf(image.Uuid)), "junk"), "x");
        Assert.False(_store.Exists(image.Uuid));
        _store.Install(image.ManifestPath, image.FilePath);
        Assert.True(_store.Exists(image.Uuid));
        Assert.False(File.Exists(Path.Combine(_pool.PathOf(_store.DatasetOf(image.Uuid)), "junk")));
    }

    [Fact]
    public void A_complete_dataset_missing_only_its_index_entry_is_adopted()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        File.Delete(Path.Combine(_store.IndexDirectory, $"{image.Uuid}.json"));
        Assert.Empty(_store.List());
        _store.Install(image.ManifestPath, image.FilePath);
        Assert.True(_store.Exists(image.Uuid));
        Assert.Equal([image.Uuid], _store.List().Select(i => i.Uuid));
    }

    [Fact]
    public void An_image_whose_origin_is_not_installed_installs_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        var origin = Guid.NewGuid();
        image.Manifest["origin"] = origin.ToString();
        image.SaveManifest();
        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal(ErrorCode.NotFound, ex.Code);
        Assert.Equal($"image {image.Uuid}: origin image {origin} is not installed on pool 'zones' (import or install it first)", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void An_incremental_image_is_applied_over_its_origin_with_whiteouts()
    {
        var base_ = new TestImageBuilder().Rootfs().Directory("./var").Directory("./var/cache").File("./var/cache/a", "a")
            .Directory("./opt").File("./opt/old", "old").Write(_files);
        _store.Install(base_.ManifestPath, base_.FilePath);
        var layer = new TestImageBuilder()
            .File("./etc/hostname", "layer\n").File("./bin/.wh.tool2", "").File("./var/cache/.wh..wh..opq", "")
            .File("./var/cache/b", "b").File("./opt", "now a file").Write(_files);
        layer.Manifest["origin"] = base_.Uuid.ToString();
        layer.SaveManifest();
        _store.Install(layer.ManifestPath, layer.FilePath);

        string root = _store.RootOf(layer.Uuid);
        Assert.Equal("layer\n", File.ReadAllText(Path.Combine(root, "etc", "hostname")));
        Assert.False(File.Exists(Path.Combine(root, "bin", "tool2")));
        Assert.True(File.Exists(Path.Combine(root, "bin", "tool")));
        Assert.Equal(["b"], Directory.GetFiles(Path.Combine(root, "var", "cache")).Select(Path.GetFileName));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(root, "opt")));
        Assert.Equal("test\n", File.ReadAllText(Path.Combine(_store.RootOf(base_.Uuid), "etc", "hostname")));
        var refused = Assert.Throws<SolsticeException>(() => _store.Delete(base_.Uuid));
        Assert.Contains($"zones/{layer.Uuid}", refused.Message);
    }

    [Fact]
    public void The_index_cache_is_repaired_from_the_manifest_files()
    {
        var images = Enumerable.Range(0, 3).Select(i => new TestImageBuilder { Name = $"n{i}" }.Rootfs().Write(_files)).ToList();
        foreach (var image in images)
            _store.Install(image.ManifestPath, image.FilePath);
        Assert.Equal(3, _store.ListIndexed().Count);
        string cache = Path.Combine(_store.IndexDirectory, "index.jsonl");
        Assert.True(File.Exists(cache));

        // A crash between a manifest write and its cache line, and a torn last line.
        var extra = new TestImageBuilder { Name = "extra" }.Rootfs().Write(_files);
        File.Copy(extra.ManifestPath, Path.Combine(_store.IndexDirectory, $"{extra.Uuid}.json"));
        File.AppendAllText(cache, "+" + Guid.NewGuid() + " {\"v\":2");
        Assert.Equal(["extra", "n0", "n1", "n2"], _store.ListIndexed().Select(i => i.String("name")).Order());

        File.Delete(Path.Combine(_store.IndexDirectory, $"{images[0].Uuid}.json"));
        Assert.Equal(["extra", "n1", "n2"], _store.ListIndexed().Select(i => i.String("name")).Order());
        File.Delete(cache);
        Assert.Equal(["extra", "n1", "n2"], _store.ListIndexed().Select(i => i.String("name")).Order());
        Assert.Equal(3, File.ReadAllLines(cache).Length);
    }

    [Fact]
    public void Delete_is_recorded_in_the_index_cache()
    {
        var a = new TestImageBuilder { Name = "a" }.Rootfs().Write(_files);
        var b = new TestImageBuilder { Name = "b" }.Rootfs().Write(_files);
        _store.Install(a.ManifestPath, a.FilePath);
        Assert.Single(_store.ListIndexed());
        _store.Install(b.ManifestPath, b.FilePath);
        _store.Delete(a.Uuid);
        Assert.Equal(["b"], _store.ListIndexed().Select(i => i.String("name")));
        string[] lines = File.ReadAllLines(Path.Combine(_store.IndexDirectory, "index.jsonl"));
        Assert.Equal(3, lines.Length);
        Assert.Equal($"-{a.Uuid}", lines[^1]);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void Every_compression_installs(string compression)
    {
        var image = new TestImageBuilder { Compression = compression }.Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(_store.RootOf(image.Uuid), "bin", "tool")));
    }

    [Theory]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    public void A_corrupt_file_fails_in_the_decompressor_and_is_rolled_back(string compression)
    {
        var builder = new TestImageBuilder { Compression = compression }.Rootfs().File("big", new string('y', 300_000));
        byte[] bytes = TestImageBuilder.Compress(builder.Tar(), compression);
        bytes[bytes.Length / 2] ^= 0x55;
        bytes[bytes.Length / 2 + 1] ^= 0x55;
        var image = builder.Write(_files, bytes);
        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));
        Assert.StartsWith($"image {image.Uuid}: corrupt {compression} tarball: ", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void List_reads_the_index_sorted_by_publication_then_name()
    {
        var late = new TestImageBuilder { Name = "b", PublishedAt = "2025-01-01T00:00:00Z" }.Rootfs().Write(_files);
        var early = new TestImageBuilder { Name = "z", PublishedAt = "2023-01-01T00:00:00Z" }.Rootfs().Write(_files);
        var sameDay = new TestImageBuilder { Name = "a", PublishedAt = "2025-01-01T00:00:00Z" }.Rootfs().Write(_files);
        foreach (var image in new[] { late, early, sameDay })
            _store.Install(image.ManifestPath, image.FilePath);
        File.WriteAllText(Path.Combine(_store.IndexDirectory, "stray.json"), "{}");
        Assert.Equal(["z", "a", "b"], _store.List().Select(i => i.Manifest.Name));
    }

    [Fact]
    public void Delete_removes_dataset_snapshot_and_index_entry()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        _store.Delete(image.Uuid);
        AssertNothingInstalled();
        Assert.Throws<ImageNotInstalledException>(() => _store.Get(image.Uuid));
    }

    [Fact]
    public void Unknown_images_are_not_installed()
    {
        var uuid = Guid.NewGuid();
        var ex = Assert.Throws<ImageNotInstalledException>(() => _store.Get(uuid));
        Assert.Equal($"image {uuid} is not installed on pool 'zones'", ex.Message);
        Assert.Throws<ImageNotInstalledException>(() => _store.Delete(uuid));
        Assert.Null(_store.Find(uuid));
        Assert.False(_store.Exists(uuid));
    }

    [Fact]
    public void Delete_refuses_while_clones_of_final_exist()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        _pool.Clone(_store.SnapshotOf(image.Uuid), _pool.Root.Child("vm1"));
        var ex = Assert.Throws<SolsticeException>(() => _store.Delete(image.Uuid));
        Assert.Equal(ErrorCode.Conflict, ex.Code);
        Assert.Equal($"image {image.Uuid} has 1 dependent clone(s): zones/vm1", ex.Message);
        Assert.True(_store.Exists(image.Uuid));
        _pool.Destroy(_pool.Root.Child("vm1"), recursive: false);
        _store.Delete(image.Uuid);
        Assert.False(_store.Exists(image.Uuid));
    }
}
