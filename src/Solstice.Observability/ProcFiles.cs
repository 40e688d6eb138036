using System.Globalization;

namespace Solstice.Observability;

/// <summary>One process from /proc/&lt;pid&gt;/stat (and status for its user).</summary>
public sealed record ProcessSample(int Pid, string Command, char State, int Priority, int Nice, int Threads,
    long UserTicks, long SystemTicks, long StartTicks, long VirtualBytes, long RssPages, int Uid);

/// <summary>Per-process I/O counters from /proc/&lt;pid&gt;/io: VFS reads and writes (syscr/syscw, rchar/wchar).</summary>
public readonly record struct VfsCounters(long Reads, long Writes, long ReadBytes, long WriteBytes)
{
    public static VfsCounters operator +(VfsCounters a, VfsCounters b) =>
        new(a.Reads + b.Reads, a.Writes + b.Writes, a.ReadBytes + b.ReadBytes, a.WriteBytes + b.WriteBytes);
}

/// <summary>A network interface's counters from a zone's /proc/&lt;pid&gt;/net/dev.</summary>
public readonly record struct NicCounters(string Name, long RxBytes, long RxPackets, long TxBytes, long TxPackets);

/// <summary>
/// Parsers for the /proc files the tools read. Like <see cref="CgroupFiles"/> they return null
/// (or skip a line) on content they do not understand: a process may exit mid-read.
/// </summary>
public static class ProcFiles
{
    /// <summary>USER_HZ: the unit of /proc/&lt;pid&gt;/stat times, 100 on every Linux architecture we run on.</summary>
    public const int TicksPerSecond = 100;

    public static ProcessSample? ParseStat(int pid, string stat, int uid = 0)
    {
        // comm is in parentheses and may itself contain spaces and ')': the last ')' ends it.
        int open = stat.IndexOf('(');
        int close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
            return null;
        string comm = stat[(open + 1)..close];
        var f = stat[(close + 2)..].Split(' ');
        // f[0] is field 3 (state); field n is f[n - 3].
        if (f.Length < 22 || f[0].Length != 1)
            return null;
        long L(int field) => long.TryParse(f[field - 3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;
        return new ProcessSample(pid, comm, f[0][0], (int)L(18), (int)L(19), (int)L(20), L(14), L(15), L(22), L(23), L(24), uid);
    }

    public static VfsCounters? ParseIo(string text)
    {
        var v = CgroupFiles.FlatKeyed(text.Replace(": ", " "));
        return v.TryGetValue("syscr", out long r) && v.TryGetValue("syscw", out long w)
            && v.TryGetValue("rchar", out long rb) && v.TryGetValue("wchar", out long wb)
            ? new VfsCounters(r, w, rb, wb) : null;
    }

    /// <summary>The real uid from /proc/&lt;pid&gt;/status's "Uid:" line.</summary>
    public static int ParseUid(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("Uid:"))
                continue;
            var rest = line[4..].Trim();
            int end = rest.IndexOfAny(' ', '\t');
            return int.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Integer, CultureInfo.InvariantCulture, out int uid) ? uid : 0;
        }
        return 0;
    }

    /// <summary>/proc/net/dev: two header lines, then "name: rx_bytes rx_packets ... tx_bytes tx_packets ...". Loopback is left out.</summary>
    public static List<NicCounters> ParseNetDev(string text)
    {
        var nics = new List<NicCounters>();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
                continue;
            string name = line[..colon].Trim().ToString();
            var f = line[(colon + 1)..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name == "lo" || f.Length < 10)
                continue;
            long P(int i) => long.TryParse(f[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;
            nics.Add(new NicCounters(name, P(0), P(1), P(8), P(9)));
        }
        return nics;
    }

    /// <summary>/proc/meminfo's value for a key, in bytes (the file says kB).</summary>
    public static long? MemInfo(string text, string key)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(key) || line.Length <= key.Length || line[key.Length] != ':')
                continue;
            var rest = line[(key.Length + 1)..].Trim();
            int space = rest.IndexOf(' ');
            if (long.TryParse(space < 0 ? rest : rest[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                return kb * 1024;
        }
        return null;
    }

    /// <summary>/proc/loadavg's three averages.</summary>
    public static (double, double, double) LoadAverage(string text)
    {
        var f = text.Split(' ');
        double D(int i) => f.Length > i && double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0;
        return (D(0), D(1), D(2));
    }

    /// <summary>/proc/stat's first "cpu" line: busy and total ticks over all CPUs.</summary>
    public static (long Busy, long Total)? CpuTicks(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("cpu "))
                continue;
            var f = line[4..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long total = 0, idle = 0;
            for (int i = 0; i < f.Length && i < 8; i++)
            {
                long.TryParse(f[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v);
                total += v;
                if (i is 3 or 4)
                    idle += v;
            }
            return (total - idle, total);
        }
        return null;
    }
}
