using System.Globalization;
using System.Text;

namespace Solstice.Observability.Formats;

/// <summary>vfsstat's and ziostat's shared options (SmartOS: -I per interval, -M megabytes, -r commas, -z hide idle zones, -Z all zones).</summary>
public sealed record IoStatOptions
{
    public bool PerInterval { get; init; }

    public bool Megabytes { get; init; }

    public bool Comma { get; init; }

    public bool HideIdle { get; init; }

    public bool AllZones { get; init; }
}

/// <summary>
/// vfsstat's table (SmartOS vfsstat: "%5.1f %5.1f %5.1f %5.1f %5.1f %5.1f %6.1f %6.1f %3d %3d %5.1f %6.1f %s (%d)",
/// zone names cut to 8 characters). r/s, w/s, kr/s and kw/s are the zone's processes' read and write
/// calls and bytes (/proc/&lt;pid&gt;/io syscr, syscw, rchar, wchar); Linux keeps no per-zone VFS queue
/// or ZFS throttle figures, so ractv, wactv, read_t, writ_t, %r, %w, d/s and del_t print "-".
/// </summary>
public static class VfsstatFormat
{
    public static string Header(IoStatOptions o)
    {
        string s = o.PerInterval ? "i" : "s";
        string b = o.Megabytes ? "M" : "k";
        return o.Comma
            ? $"r/{s},w/{s},{b}r/{s},{b}w/{s},ractv,wactv,read_t,writ_t,%r,%w,d/{s},del_t,zone\n"
            : $"  r/{s}   w/{s}  {b}r/{s}  {b}w/{s} ractv wactv read_t writ_t  %r  %w   d/{s}  del_t zone\n";
    }

    /// <summary>One report: since each zone's start when <paramref name="previous"/> is null, else over the interval.</summary>
    public static string Render(NodeSnapshot now, NodeSnapshot? previous, IoStatOptions o)
    {
        var sb = new StringBuilder(Header(o));
        foreach (var zone in now.Zones)
        {
            if (!o.AllZones && !zone.IsGlobal)
                continue;
            var old = previous?.Zones.FirstOrDefault(z => z.Name == zone.Name);
            double etime = old is null ? zone.UptimeSeconds : now.Time - previous!.Time;
            if (etime <= 0)
                etime = 1;
            var d = Delta(zone, old);
            double divisor = o.PerInterval ? 1 : etime;
            double bytes = o.Megabytes ? 1024 * 1024 : 1024;
            double r = d.Reads / divisor, w = d.Writes / divisor, kr = d.ReadBytes / divisor / bytes, kw = d.WriteBytes / divisor / bytes;
            if (o.HideIdle && r == 0 && w == 0 && kr == 0 && kw == 0)
                continue;
            string name = zone.Name.Length > 8 ? zone.Name[..8] : zone.Name;
            string id = zone.ZoneId.ToString(CultureInfo.InvariantCulture);
            if (o.Comma)
                sb.Append(CultureInfo.InvariantCulture, $"{r:F1},{w:F1},{kr:F1},{kw:F1},-,-,-,-,-,-,-,-,{name},{id}\n");
            else
                sb.Append(CFormat.F(r, 5, 1)).Append(' ').Append(CFormat.F(w, 5, 1)).Append(' ')
                  .Append(CFormat.F(kr, 5, 1)).Append(' ').Append(CFormat.F(kw, 5, 1)).Append(' ')
                  .Append(CFormat.R("-", 5)).Append(' ').Append(CFormat.R("-", 5)).Append(' ')
                  .Append(CFormat.R("-", 6)).Append(' ').Append(CFormat.R("-", 6)).Append(' ')
                  .Append(CFormat.R("-", 3)).Append(' ').Append(CFormat.R("-", 3)).Append(' ')
                  .Append(CFormat.R("-", 5)).Append(' ').Append(CFormat.R("-", 6)).Append(' ')
                  .Append(name).Append(" (").Append(id).Append(")\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// VFS work in the interval: per process, the growth of its counters (a process new in the
    /// interval counts whole); a process that exited takes its counts with it, which is why the
    /// first report (since start) covers live processes only.
    /// </summary>
    public static VfsCounters Delta(ZoneSnapshot now, ZoneSnapshot? old)
    {
        var total = default(VfsCounters);
        foreach (var (pid, c) in now.Vfs)
        {
            if (old is not null && old.Vfs.TryGetValue(pid, out var before) && c.Reads >= before.Reads && c.ReadBytes >= before.ReadBytes)
                total += new VfsCounters(c.Reads - before.Reads, c.Writes - before.Writes, c.ReadBytes - before.ReadBytes, c.WriteBytes - before.WriteBytes);
            else
                total += c;
        }
        return total;
    }
}

/// <summary>
/// ziostat's table (SmartOS ziostat: " %6.1f %6.1f %6.1f %6.1f %6.1f %3d %.8s (%d)"). r/s and kr/s
/// are the zone cgroup's block reads (blkio.throttle.io_serviced / io_service_bytes, or io.stat);
/// Linux's blkio gives no per-cgroup queue or service times, so actv, wsvc_t, asvc_t and %b print "-".
/// The global row is the root cgroup's own reads (v1); on a pure v2 host it has none and prints "-".
/// </summary>
public static class ZiostatFormat
{
    public static string Header(IoStatOptions o)
    {
        string s = o.PerInterval ? "i" : "s";
        string b = o.Megabytes ? "M" : "k";
        return o.Comma ? $"r/{s},{b}r/{s},actv,wsvc_t,asvc_t,%b,zone\n" : $"    r/{s}   {b}r/{s}   actv wsvc_t asvc_t  %b zone\n";
    }

    public static string Render(NodeSnapshot now, NodeSnapshot? previous, IoStatOptions o)
    {
        var sb = new StringBuilder(Header(o));
        foreach (var zone in now.Zones)
        {
            if (!o.AllZones && !zone.IsGlobal)
                continue;
            var old = previous?.Zones.FirstOrDefault(z => z.Name == zone.Name);
            double etime = old is null ? zone.UptimeSeconds : now.Time - previous!.Time;
            if (etime <= 0)
                etime = 1;
            string name = zone.Name.Length > 8 ? zone.Name[..8] : zone.Name;
            string id = zone.ZoneId.ToString(CultureInfo.InvariantCulture);
            string rs = "-", krs = "-";
            if (zone.Cgroup.Io is { } io)
            {
                var before = old?.Cgroup.Io ?? default;
                double divisor = o.PerInterval ? 1 : etime;
                double r = Math.Max(0, io.ReadOps - before.ReadOps) / divisor;
                double kr = Math.Max(0, io.ReadBytes - before.ReadBytes) / divisor / (o.Megabytes ? 1024 * 1024 : 1024);
                if (o.HideIdle && r == 0 && kr == 0)
                    continue;
                rs = r.ToString("F1", CultureInfo.InvariantCulture);
                krs = kr.ToString("F1", CultureInfo.InvariantCulture);
            }
            else if (o.HideIdle)
                continue;
            if (o.Comma)
                sb.Append(CultureInfo.InvariantCulture, $"{rs},{krs},-,-,-,-,{name},{id}\n");
            else
                sb.Append(' ').Append(CFormat.R(rs, 6)).Append(' ').Append(CFormat.R(krs, 6)).Append(' ')
                  .Append(CFormat.R("-", 6)).Append(' ').Append(CFormat.R("-", 6)).Append(' ').Append(CFormat.R("-", 6)).Append(' ')
                  .Append(CFormat.R("-", 3)).Append(' ').Append(name).Append(" (").Append(id).Append(")\n");
        }
        return sb.ToString();
    }
}
