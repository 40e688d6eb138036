using System.Globalization;
using System.Text;

namespace Solstice.Observability.Formats;

/// <summary>One named statistic as `kstat -p` prints it: module:instance:name:statistic, a tab, the value.</summary>
public sealed record KstatValue(string Module, int Instance, string Name, string Statistic, string Value)
{
    public string Line => $"{Module}:{Instance.ToString(CultureInfo.InvariantCulture)}:{Name}:{Statistic}\t{Value}";
}

/// <summary>
/// SmartOS's per-zone `caps` (CPU cap) and `memory_cap` kstats from a zone's cgroup. Instances are
/// zone ids; names as SmartOS's (cpucaps_zone_&lt;id&gt;; the zone name cut to KSTAT_STRLEN's 30
/// characters). Only statistics Linux has a figure for are printed (docs/observability.md lists
/// them and their sources); SmartOS makes a caps kstat only for a zone with a cap, and so do we.
/// </summary>
public static class KstatFormat
{
    public const string Unlimited = "18446744073709551615";

    public static List<KstatValue> Collect(NodeSnapshot now, NodeSnapshot? previous)
    {
        var values = new List<KstatValue>();
        foreach (var zone in now.Zones)
        {
            var c = zone.Cgroup;
            int id = zone.ZoneId;
            string I(long v) => v.ToString(CultureInfo.InvariantCulture);
            if (!zone.IsGlobal && c.CpuQuotaMicros is long quota && c.CpuPeriodMicros is long period && period > 0)
            {
                string name = $"cpucaps_zone_{I(id)}";
                var caps = new List<(string, string)>
                {
                    ("value", I(quota * 100 / period)),
                    ("zonename", zone.Name),
                };
                if (c.CpuThrottledNanos is long throttled)
                    caps.Add(("above_sec", I(throttled / 1_000_000_000)));
                if (c.CpuThrottledPeriods is long nthrottled)
                    caps.Add(("nwait", I(nthrottled)));
                var before = previous?.Zones.FirstOrDefault(z => z.Name == zone.Name)?.Cgroup.CpuUsageNanos;
                if (before is long b && c.CpuUsageNanos is long a && now.Time > previous!.Time)
                    caps.Add(("usage", I((long)Math.Round((a - b) / 1e9 / (now.Time - previous.Time) * 100))));
                foreach (var (stat, value) in caps)
                    values.Add(new KstatValue("caps", id, name, stat, value));
            }
            string memName = zone.Name.Length > 30 ? zone.Name[..30] : zone.Name;
            var mem = new List<(string, string)>
            {
                ("physcap", zone.IsGlobal || c.MemoryLimitBytes is null ? Unlimited : I(c.MemoryLimitBytes.Value)),
                ("rss", I(c.RssBytes ?? 0)),
                ("swapcap", zone.IsGlobal || c.SwapLimitBytes is null ? Unlimited : I(c.SwapLimitBytes.Value)),
                ("zonename", zone.Name),
            };
            if (c.SwapUsageBytes is long swap)
                mem.Add(("swap", I(swap)));
            if (!zone.IsGlobal)
            {
                mem.Add(("nover", I(c.MemoryCapHits ?? 0)));
                if (c.OomKills is long oom)
                    mem.Add(("anon_alloc_fail", I(oom)));
                if (c.PagedOutBytes is long paged)
                    mem.Add(("pagedout", I(paged)));
                if (c.PagesIn is long pgin)
                    mem.Add(("pgpgin", I(pgin)));
            }
            foreach (var (stat, value) in mem)
                values.Add(new KstatValue("memory_cap", id, memName, stat, value));
        }
        // kstat -p's order: by module, instance, name, then statistic.
        values.Sort((x, y) =>
        {
            int r = string.CompareOrdinal(x.Module, y.Module);
            if (r == 0) r = x.Instance.CompareTo(y.Instance);
            if (r == 0) r = string.CompareOrdinal(x.Name, y.Name);
            return r != 0 ? r : string.CompareOrdinal(x.Statistic, y.Statistic);
        });
        return values;
    }

    /// <summary>kstat's selector "module:instance:name:statistic", each part empty or a glob ('*', '?').</summary>
    public static bool Matches(KstatValue v, string selector)
    {
        var parts = selector.Split(':');
        string Part(int i) => i < parts.Length ? parts[i] : "";
        return Glob(Part(0), v.Module) && Glob(Part(1), v.Instance.ToString(CultureInfo.InvariantCulture))
            && Glob(Part(2), v.Name) && Glob(Part(3), v.Statistic);
    }

    public static string Render(IEnumerable<KstatValue> values)
    {
        var sb = new StringBuilder();
        foreach (var v in values)
            sb.Append(v.Line).Append('\n');
        return sb.ToString();
    }

    public static bool Glob(string pattern, string text)
    {
        if (pattern.Length == 0)
            return true;
        return Match(pattern.AsSpan(), text.AsSpan());

        static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> t)
        {
            if (p.IsEmpty)
                return t.IsEmpty;
            if (p[0] == '*')
            {
                for (int i = 0; i <= t.Length; i++)
                    if (Match(p[1..], t[i..]))
                        return true;
                return false;
            }
            return !t.IsEmpty && (p[0] == '?' || p[0] == t[0]) && Match(p[1..], t[1..]);
        }
    }
}
