using System.IO.Compression;
using System.Text;
using Solstice.Core;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Images.Tests;

/// <summary>
/// Decompression and file-count bombs against ImageStore.Install on a dir-driver pool. Each bomb
/// is generated here from a few small gzip members (gzip files may be concatenated), so a 3 MB
/// file that claims 3 GiB costs nothing to make; the install must stop at its limit, say which,
/// and leave nothing behind.
/// </summary>
public sealed class ImageBombTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-bombs");
    private readonly StoragePool _pool;
    private readonly string _files;

    public ImageBombTests()
    {
        _pool = new PoolManager(ProcessCommandRunner.Instance).Import(
            new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") });
        _files = _dir.Combine("files");
    }

    public void Dispose() => _dir.Dispose();

    private ImageStore Store(ImageLimits limits) => new(_pool) { Limits = limits };

    private void AssertNothingInstalled(ImageStore store, Guid uuid)
    {
        Assert.False(_pool.Exists(store.DatasetOf(uuid)));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.file"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.PartialDirectory));
        Assert.Empty(store.List());
    }

    /// <summary>
    /// A gzip file whose tarball is one regular file "big" of <paramref name="mib"/> MiB of
    /// zeroes: a member with the tar header and the first MiB, then one 1 KiB member per further MiB.
    /// </summary>
    private static byte[] ZeroBomb(int mib)
    {
        byte[] zeroes = new byte[1 << 20];
        byte[] first = Gzip([.. TarHeader("big", (long)mib << 20), .. zeroes]);
        byte[] next = Gzip(zeroes);
        var file = new MemoryStream(first.Length + (next.Length * (mib - 1)));
        file.Write(first);
        for (int i = 1; i < mib; i++)
            file.Write(next);
        return file.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(data);
        return buffer.ToArray();
    }

    /// <summary>A ustar header for a regular file of the given size (octal fields, checksum last).</summary>
    private static byte[] TarHeader(string name, long size)
    {
        byte[] header = new byte[512];
        void Field(int offset, int length, string text) => Encoding.ASCII.GetBytes(text).AsSpan(0, Math.Min(text.Length, length)).CopyTo(header.AsSpan(offset));
        Field(0, 100, name);
        Field(100, 8, "0000644\0");
        Field(108, 8, "0000000\0");
        Field(116, 8, "0000000\0");
        Field(124, 12, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Field(136, 12, "14000000000\0");
        Field(148, 8, "        ");
        header[156] = (byte)'0';
        Field(257, 6, "ustar\0");
        Field(263, 2, "00");
        int sum = header.Sum(b => b);
        Field(148, 8, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        return header;
    }

    [Fact]
    public void A_3_MB_gzip_that_expands_to_3_GiB_stops_at_the_expanded_bytes_ceiling_and_installs_nothing()
    {
        byte[] bomb = ZeroBomb(3072);
        Assert.InRange(bomb.Length, 1 << 20, 4 << 20); // the 3 MB file of the report
        var image = new TestImageBuilder().Write(_files, bomb);
        var store = Store(new ImageLimits { MaxExpandedBytes = 32 << 20 });

        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal($"image {image.Uuid}: refusing tarball: it expands to more than {32 << 20} bytes (images.max_expanded_bytes in the node config)", ex.Message);
        AssertNothingInstalled(store, image.Uuid);
    }

    [Fact]
    public void Past_the_floor_an_image_may_expand_only_to_the_ratio_times_its_file_size()
    {
        byte[] bomb = ZeroBomb(256);
        var image = new TestImageBuilder().Write(_files, bomb);
        var store = Store(new ImageLimits { RatioFloorBytes = 4 << 20 });
        long limit = bomb.Length * 100L;
        Assert.True(limit > 4 << 20 && limit < 256L << 20);

        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal($"image {image.Uuid}: refusing tarball: it expands to more than {limit} bytes "
            + $"(100 times the {bomb.Length}-byte image file; images.max_expansion_ratio in the node config)", ex.Message);
        AssertNothingInstalled(store, image.Uuid);
    }

    [Fact]
    public void The_default_ceiling_for_a_3_MB_file_is_the_1_GiB_floor()
    {
        Assert.Equal(1L << 30, ImageLimits.Default.ExpandedLimitFor(3 << 20));
        Assert.Equal(100L * (200L << 20), ImageLimits.Default.ExpandedLimitFor(200L << 20));
        Assert.Equal(64L << 30, ImageLimits.Default.ExpandedLimitFor(10L << 30));
        Assert.Equal(64L << 30, ImageLimits.Default.ExpandedLimitFor(long.MaxValue));
    }

    [Fact]
    public void An_image_with_more_entries_than_max_files_stops_at_the_first_one_over_and_installs_nothing()
    {
        var builder = new TestImageBuilder().Rootfs();
        for (int i = 0; i < 3000; i++)
            builder.File($"./f{i}", "");
        var image = builder.Write(_files);
        var store = Store(new ImageLimits { MaxFiles = 1000 });

        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal($"image {image.Uuid}: refusing tarball: it holds more than 1000 entries (images.max_files in the node config)", ex.Message);
        AssertNothingInstalled(store, image.Uuid);
    }

    [Fact]
    public void An_image_within_every_limit_installs()
    {
        var image = new TestImageBuilder().Rootfs().File("./a", new string('a', 100_000)).Write(_files);
        var store = Store(new ImageLimits { MaxFiles = 10, MaxExpandedBytes = 1 << 20 });

        store.Install(image.ManifestPath, image.FilePath);

        Assert.True(store.Exists(image.Uuid));
    }
}
