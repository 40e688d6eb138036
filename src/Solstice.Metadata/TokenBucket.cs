namespace Solstice.Metadata;

/// <summary>
/// A token bucket shared by all connections of one zone. A request takes a token; when none is
/// left it reserves a future one (the balance goes negative) and waits until then, so a steady
/// client slows down instead of failing. A reservation further out than the maximum delay is
/// refused, which tells a flood from a burst.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public TokenBucket(double ratePerSecond, int burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _rate = ratePerSecond;
        _burst = burst;
        _time = time ?? TimeProvider.System;
        _tokens = burst;
        _last = _time.GetTimestamp();
    }

    /// <summary>Takes a token; <paramref name="wait"/> is how long to wait before using it. False: refused.</summary>
    public bool TryTake(TimeSpan maxDelay, out TimeSpan wait)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_last, now).TotalSeconds * _rate);
            _last = now;
            double deficit = 1 - _tokens;
            wait = deficit > 0 ? TimeSpan.FromSeconds(deficit / _rate) : TimeSpan.Zero;
            if (wait > maxDelay)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}
