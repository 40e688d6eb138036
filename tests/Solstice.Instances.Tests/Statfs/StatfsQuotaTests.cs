using Solstice.Instances.Statfs;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Tests.Statfs;

public class StatfsQuotaTests
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    internal static Libc.StatFsBuffer Pool(ulong blocks = 10_000_000, ulong available = 9_000_000) => new()
    {
        Type = Btrfs.SuperMagic,
        BlockSize = 4096,
        FragmentSize = 4096,
        Blocks = blocks,
        BlocksFree = available + 1000,
        BlocksAvailable = available,
        Files = 0,
        FilesFree = 0,
        FsId = 0x1234,
        NameLength = 255,
        Flags = 0x1020,
    };

    [Fact]
    public void A_zone_with_room_in_the_pool_shows_its_quota_as_size()
    {
        var answer = StatfsQuota.Apply(Pool(), referenced: 100 * MiB, limit: GiB);
        Assert.Equal((ulong)(GiB / 4096), answer.Blocks);
        Assert.Equal((ulong)((GiB - 100 * MiB) / 4096), answer.BlocksFree);
        Assert.Equal(answer.BlocksFree, answer.BlocksAvailable);
    }

    [Fact]
    public void Available_is_the_pools_when_the_pool_has_less_than_the_quota_leaves()
    {
        var answer = StatfsQuota.Apply(Pool(available: 1000), referenced: 100 * MiB, limit: GiB);
        Assert.Equal(1000UL, answer.BlocksAvailable);
        Assert.Equal((ulong)(100 * MiB / 4096) + 1000, answer.Blocks);
    }

    [Fact]
    public void A_zone_over_its_quota_has_nothing_available_and_its_usage_as_size()
    {
        var answer = StatfsQuota.Apply(Pool(), referenced: GiB + 4097, limit: GiB);
        Assert.Equal(0UL, answer.BlocksAvailable);
        Assert.Equal(0UL, answer.BlocksFree);
        Assert.Equal((ulong)(GiB / 4096) + 2, answer.Blocks);
    }

    [Fact]
    public void Every_other_field_is_the_kernels()
    {
        var real = Pool();
        var answer = StatfsQuota.Apply(real, referenced: 0, limit: GiB);
        Assert.Equal((real.Type, real.BlockSize, real.FragmentSize, real.Files, real.FilesFree, real.FsId, real.NameLength, real.Flags),
            (answer.Type, answer.BlockSize, answer.FragmentSize, answer.Files, answer.FilesFree, answer.FsId, answer.NameLength, answer.Flags));
    }

    [Fact]
    public void Blocks_are_counted_in_fragment_size_units_falling_back_to_block_size()
    {
        var real = Pool();
        real.FragmentSize = 0;
        real.BlockSize = 1024;
        Assert.Equal((ulong)(GiB / 1024), StatfsQuota.Apply(real, 0, GiB).Blocks);
        real.BlockSize = 0;
        Assert.Equal(real.Blocks, StatfsQuota.Apply(real, 0, GiB).Blocks);
    }

    [Fact]
    public void A_huge_pool_does_not_overflow()
    {
        var answer = StatfsQuota.Apply(Pool(blocks: ulong.MaxValue, available: ulong.MaxValue / 2), referenced: 0, limit: long.MaxValue);
        Assert.Equal((ulong)(long.MaxValue / 4096), answer.BlocksAvailable);
    }
}
