namespace Solstice.Metadata.Tests;

public class TokenBucketTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    [Fact]
    public void The_burst_is_free_then_requests_wait_their_turn_and_floods_are_refused()
    {
        var time = new ManualTime();
        var bucket = new TokenBucket(ratePerSecond: 2, burst: 3, time);
        var maxDelay = TimeSpan.FromSeconds(1);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(bucket.TryTake(maxDelay, out var free));
            Assert.Equal(TimeSpan.Zero, free);
        }
        Assert.True(bucket.TryTake(maxDelay, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(0.5), wait);
        Assert.True(bucket.TryTake(maxDelay, out wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        Assert.False(bucket.TryTake(maxDelay, out _));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryTake(maxDelay, out wait));
        Assert.Equal(TimeSpan.FromSeconds(0.5), wait);

        time.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 3; i++)
            Assert.True(bucket.TryTake(TimeSpan.Zero, out _));
        Assert.False(bucket.TryTake(TimeSpan.Zero, out _));
    }
}
