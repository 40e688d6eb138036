using System.Diagnostics;
using System.Globalization;

namespace Solstice.Benchmarks;

/// <summary>Latency samples of one operation, reported as percentiles in milliseconds.</summary>
public sealed class Samples(string name)
{
    private readonly List<double> _ms = [];

    public string Name { get; } = name;

    public int Count => _ms.Count;

    public void Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        _ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>Adds another set's samples to these.</summary>
    public void Add(Samples other) => _ms.AddRange(other._ms);

    public double Percentile(double p)
    {
        var sorted = _ms.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public double Mean => _ms.Average();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-44} n={Count,-5} p50={Percentile(50),8:F3} ms  p99={Percentile(99),8:F3} ms  mean={Mean,8:F3} ms");
}
