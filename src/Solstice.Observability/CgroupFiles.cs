using System.Globalization;

namespace Solstice.Observability;

/// <summary>
/// Parsers for the cgroup file formats, v1 and v2. Each takes the file's text and never throws on
/// odd content: a line that does not parse is skipped, so a kernel that adds a key or a file cut
/// short by a vanishing cgroup gives fewer figures, not an exception.
/// </summary>
public static class CgroupFiles
{
    /// <summary>"key value" lines: memory.stat, cpu.stat (v1 and v2), memory.events, memory.oom_control, cpuacct.stat.</summary>
    public static Dictionary<string, long> FlatKeyed(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            int space = line.IndexOf(' ');
            if (space <= 0)
                continue;
            if (long.TryParse(line[(space + 1)..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                values[line[..space].ToString()] = value;
        }
        return values;
    }

    /// <summary>
    /// One number: memory.limit_in_bytes, memory.max, cpu.cfs_quota_us, cpuacct.usage. "max" (v2's
    /// no limit) is long.MaxValue; anything else unparsable is null.
    /// </summary>
    public static long? Single(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.SequenceEqual("max"))
            return long.MaxValue;
        return long.TryParse(span, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : null;
    }

    /// <summary>v2 cpu.max: "&lt;quota|max&gt; &lt;period&gt;" → (quota µs or null for max, period µs).</summary>
    public static (long? Quota, long Period)? CpuMax(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long period))
            return null;
        if (parts[0] == "max")
            return (null, period);
        return long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long quota) ? (quota, period) : null;
    }

    /// <summary>
    /// v1 blkio.throttle.io_service_bytes / io_serviced: "maj:min Read N" lines per device and a
    /// "Total N" line; summed over devices into (read, write).
    /// </summary>
    public static (long Read, long Write) BlkioV1(string text)
    {
        long read = 0, write = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var parts = line.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                continue;
            if (parts[1] == "Read")
                read += value;
            else if (parts[1] == "Write")
                write += value;
        }
        return (read, write);
    }

    /// <summary>v2 io.stat: "maj:min rbytes=N wbytes=N rios=N wios=N ..." summed over devices.</summary>
    public static IoCounters IoStatV2(string text)
    {
        long rbytes = 0, wbytes = 0, rios = 0, wios = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            foreach (string field in line.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                int eq = field.IndexOf('=');
                if (eq <= 0 || !long.TryParse(field.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                    continue;
                switch (field[..eq])
                {
                    case "rbytes": rbytes += value; break;
                    case "wbytes": wbytes += value; break;
                    case "rios": rios += value; break;
                    case "wios": wios += value; break;
                }
            }
        }
        return new IoCounters(rios, wios, rbytes, wbytes);
    }

    /// <summary>cgroup.procs / tasks: one pid a line.</summary>
    public static List<int> Pids(string text)
    {
        var pids = new List<int>();
        foreach (var line in text.AsSpan().EnumerateLines())
            if (int.TryParse(line.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
                pids.Add(pid);
        return pids;
    }

    /// <summary>A file's text, or null when it (or its cgroup) does not exist or cannot be read: a zone may stop between listing and reading.</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Block I/O done by a cgroup: operations and bytes, summed over devices.</summary>
public readonly record struct IoCounters(long ReadOps, long WriteOps, long ReadBytes, long WriteBytes);
