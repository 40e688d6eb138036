using Solstice.Core;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Images.Tests;

/// <summary>zvol images on a dir-driver pool: disk.raw of image_size MiB, raw or qcow2 content, refusals leave nothing.</summary>
public sealed class ZvolImageTests : IDisposable
{
    private const long MiB = 1 << 20;
    private static readonly string[] s_layout = ["zones", "zones/archive", "zones/config", "zones/cores", "zones/images"];
    private readonly TempDirectory _dir = new("solstice-zvol");
    private readonly StoragePool _pool;
    private readonly ImageStore _store;
    private readonly string _files;

    public ZvolImageTests()
    {
        _pool = new PoolManager(ProcessCommandRunner.Instance).Import(
            new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") });
        _store = new ImageStore(_pool);
        _files = _dir.Combine("files");
    }

    public void Dispose() => _dir.Dispose();

    private void AssertNothingInstalled()
    {
        Assert.Equal(s_layout, _pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name));
        Assert.Empty(Directory.EnumerateFiles(_store.IndexDirectory, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(_store.IndexDirectory, "*.file"));
        Assert.Empty(_store.List());
    }

    private void AssertDisk(Guid uuid, byte[] raw, long imageSizeMiB)
    {
        string? disk = _store.ZvolDiskPath(uuid);
        Assert.Equal(Path.Combine(_pool.PathOf(_store.DatasetOf(uuid)), "disk.raw"), disk);
        Assert.Equal(["disk.raw"], Directory.GetFileSystemEntries(_pool.PathOf(_store.DatasetOf(uuid))).Select(Path.GetFileName));
        byte[] written = File.ReadAllBytes(disk!);
        Assert.Equal(imageSizeMiB * MiB, written.LongLength);
        Assert.True(written.AsSpan(0, raw.Length).SequenceEqual(raw));
        Assert.True(written.AsSpan(raw.Length).IndexOfAnyExcept((byte)0) < 0);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("none")]
    [InlineData("xz")]
    public void A_raw_disk_becomes_disk_raw_of_image_size(string compression)
    {
        byte[] raw = ZvolImages.RawDisk(3 * MiB);
        var image = ZvolImages.Write(_files, TestImageBuilder.Compress(raw, compression), 4, compression);

        var installed = _store.Install(image.ManifestPath, image.FilePath);

        Assert.Equal("zvol", installed.Manifest.Type);
        Assert.True(_store.Exists(image.Uuid));
        AssertDisk(image.Uuid, raw, 4);
        _store.Delete(image.Uuid);
        Assert.Null(_store.ZvolDiskPath(image.Uuid));
        AssertNothingInstalled();
    }

    [Fact]
    public void A_disk_exactly_image_size_installs()
    {
        byte[] raw = ZvolImages.RawDisk(2 * MiB);
        var image = ZvolImages.Write(_files, TestImageBuilder.Compress(raw, "gzip"), 2, "gzip");
        _store.Install(image.ManifestPath, image.FilePath);
        AssertDisk(image.Uuid, raw, 2);
    }

    [Fact]
    public void A_qcow2_disk_is_converted_to_raw()
    {
        byte[] raw = ZvolImages.RawDisk(3 * MiB);
        var image = ZvolImages.Write(_files, TestImageBuilder.Compress(ZvolImages.Qcow2(raw, _dir.Combine("scratch")), "gzip"), 3, "gzip");

        _store.Install(image.ManifestPath, image.FilePath);

        AssertDisk(image.Uuid, raw, 3);
    }

    [Fact]
    public void A_qcow2_disk_larger_than_image_size_installs_nothing()
    {
        byte[] raw = ZvolImages.RawDisk(3 * MiB);
        var image = ZvolImages.Write(_files, ZvolImages.Qcow2(raw, _dir.Combine("scratch")), 2);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal($"image {image.Uuid}: the qcow2 disk's virtual size is {3 * MiB} bytes, more than its image_size of 2 MiB; refusing it", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_raw_disk_larger_than_image_size_installs_nothing()
    {
        var image = ZvolImages.Write(_files, TestImageBuilder.Compress(ZvolImages.RawDisk(3 * MiB), "gzip"), 2, "gzip");

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal($"image {image.Uuid}: the disk image holds more than its image_size of 2 MiB; refusing it", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_zvol_without_image_size_installs_nothing()
    {
        var image = new TestImageBuilder { Type = "zvol" }.Rootfs().Write(_files);

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal($"image {image.Uuid}: a zvol image needs image_size (the disk's size in MiB, a positive integer)", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void Image_size_past_max_expanded_bytes_installs_nothing()
    {
        var store = new ImageStore(_pool) { Limits = ImageLimits.Default with { MaxExpandedBytes = 8 * MiB } };
        var image = ZvolImages.Write(_files, ZvolImages.RawDisk(2 * MiB), 16);

        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal($"image {image.Uuid}: image_size 16 MiB is more than {8 * MiB} bytes (images.max_expanded_bytes in the node config)", ex.Message);
        AssertNothingInstalled();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_zfs_send_stream_installs_nothing(bool bigEndian)
    {
        byte[] stream = new byte[64 * 1024];
        stream[0] = 0; // drr_type BEGIN
        if (bigEndian)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(stream.AsSpan(8), 0x2F5bacbac);
        else
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(stream.AsSpan(8), 0x2F5bacbac);
        var image = ZvolImages.Write(_files, TestImageBuilder.Compress(stream, "gzip"), 1, "gzip");

        var ex = Assert.Throws<SolsticeException>(() => _store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.NotSupported, ex.Code);
        Assert.Equal($"image {image.Uuid}: the image file is a ZFS send stream, which this node cannot read yet; convert it to raw or qcow2", ex.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public void A_zone_image_has_no_disk_path()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        _store.Install(image.ManifestPath, image.FilePath);
        Assert.Null(_store.ZvolDiskPath(image.Uuid));
        Assert.Null(_store.ZvolDiskPath(Guid.NewGuid()));
    }
}
