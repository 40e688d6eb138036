
namespace Solstice.Core.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(512L, "512B")]
    [InlineData(1024L, "1K")]
    [InlineData(24576L, "24K")]
    [InlineData(98816L, "96.5K")]
    [InlineData(1610612736L, "1.50G")]
    [InlineData(10737418240L, "10G")]
    [InlineData(1099511627776L, "1T")]
    public void Format_matches_zfs_nicebytes(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("10G", 10737418240L)]
    [InlineData("10g", 10737418240L)]
    [InlineData("10GiB", 10737418240L)]
    [InlineData("10GB", 10737418240L)]
    [InlineData("1.5M", 1572864L)]
    [InlineData("100K", 102400L)]
    public void TryParse_accepts_zfs_sizes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("-1G")]
    [InlineData("10X")]
    [InlineData("ten")]
    [InlineData("99999999999E")]
    public void TryParse_rejects_garbage(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Format_never_exceeds_five_characters()
    {
        var random = new Random(7);
        for (int i = 0; i < 10000; i++)
        {
            long bytes = (long)(random.NextDouble() * (1L << 50));
            Assert.True(ByteSize.Format(bytes).Length <= 5, ByteSize.Format(bytes));
        }
    }
}
