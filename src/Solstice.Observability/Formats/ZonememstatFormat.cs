using System.Text;

namespace Solstice.Observability.Formats;

/// <summary>zonememstat's options (SmartOS: -a alias, -H no header, -o only zones that went over, -t total, -z zone).</summary>
public sealed record ZonememstatOptions
{
    public bool Alias { get; init; }

    public bool Header { get; init; } = true;

    public bool OverOnly { get; init; }

    public bool Total { get; init; }

    public string? Zone { get; init; }

    /// <summary>Solstice's addition (-O): an OOM column, the kills by the kernel's OOM killer, which SmartOS's cap does not have.</summary>
    public bool Oom { get; init; }

    /// <summary>Every VM's alias, stopped ones too: SmartOS sizes the ALIAS column from `vmadm list` (at least 12).</summary>
    public IReadOnlyCollection<string> KnownAliases { get; init; } = [];
}

/// <summary>
/// zonememstat's table, column for column as SmartOS's script prints it (smartos-live
/// zonememstat: widths 37/8/8/6/9/5, or 37/alias/8/6/8/9/5 with -a; caps that are unlimited and
/// the global zone print "-" for CAP, NOVER and POUT). Figures Linux does not have print "-".
/// </summary>
public static class ZonememstatFormat
{
    private const double MiB = 1048576;

    public static string Render(NodeSnapshot node, ZonememstatOptions o)
    {
        var sb = new StringBuilder();
        int aliasWidth = Math.Max(12, o.KnownAliases.Select(a => a.Length).DefaultIfEmpty(0).Max());
        if (o.Header)
        {
            sb.Append(CFormat.R("ZONE", 37));
            if (o.Alias)
                sb.Append(' ').Append(CFormat.R("ALIAS", aliasWidth))
                  .Append(' ').Append(CFormat.R("RSS(MB)", 8)).Append(' ').Append(CFormat.R("CAP(MB)", 6))
                  .Append(' ').Append(CFormat.R("NOVER", 8)).Append(' ').Append(CFormat.R("POUT(MB)", 9));
            else
                sb.Append(' ').Append(CFormat.R("RSS(MB)", 8)).Append(' ').Append(CFormat.R("CAP(MB)", 8))
                  .Append(' ').Append(CFormat.R("NOVER", 6)).Append(' ').Append(CFormat.R("POUT(MB)", 9));
            sb.Append(' ').Append(CFormat.R("SWAP%", 5));
            if (o.Oom)
                sb.Append(' ').Append(CFormat.R("OOM", 6));
            sb.Append('\n');
        }
        double rssTotal = 0, capTotal = 0, noverTotal = 0, poutTotal = 0, oomTotal = 0;
        foreach (var zone in node.Zones)
        {
            var c = zone.Cgroup;
            if (o.Zone is not null && o.Zone != zone.Name && o.Zone != zone.Alias)
                continue;
            long nover = c.MemoryCapHits ?? 0;
            if (o.OverOnly && nover == 0)
                continue;
            double rss = (c.RssBytes ?? 0) / MiB;
            rssTotal += rss;
            bool capped = !zone.IsGlobal && c.MemoryLimitBytes is not null;
            string swap = !zone.IsGlobal && c.SwapLimitBytes is long swapCap && swapCap > 0 && c.SwapUsageBytes is long swapUsed
                ? CFormat.AwkNumber(swapUsed / MiB / (swapCap / MiB) * 100) : "-";
            string cap = "-", noverText = "-", pout = "-";
            if (capped)
            {
                double capMb = c.MemoryLimitBytes!.Value / MiB;
                capTotal += capMb;
                noverTotal += nover;
                cap = CFormat.D(capMb, 0);
                noverText = nover.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (c.PagedOutBytes is long paged)
                {
                    poutTotal += paged / MiB;
                    pout = CFormat.D(paged / MiB, 0);
                }
            }
            string alias = string.IsNullOrEmpty(zone.Alias) ? "-" : zone.Alias;
            Row(sb, o, aliasWidth, zone.Name, alias, CFormat.D(rss, 0), cap, noverText, pout, swap,
                zone.IsGlobal || c.OomKills is null ? "-" : c.OomKills.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            oomTotal += zone.IsGlobal ? 0 : c.OomKills ?? 0;
        }
        if (o.Total)
            Row(sb, o, aliasWidth, "total", "-", CFormat.D(rssTotal, 0), CFormat.D(capTotal, 0), CFormat.D(noverTotal, 0),
                CFormat.D(poutTotal, 0), "-", CFormat.D(oomTotal, 0));
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, ZonememstatOptions o, int aliasWidth, string name, string alias,
        string rss, string cap, string nover, string pout, string swap, string oom)
    {
        sb.Append(CFormat.R(name, 37));
        if (o.Alias)
            sb.Append(' ').Append(CFormat.R(alias, aliasWidth)).Append(' ').Append(CFormat.R(rss, 8))
              .Append(' ').Append(CFormat.R(cap, 6)).Append(' ').Append(CFormat.R(nover, 8)).Append(' ').Append(CFormat.R(pout, 9));
        else
            sb.Append(' ').Append(CFormat.R(rss, 8)).Append(' ').Append(CFormat.R(cap, 8))
              .Append(' ').Append(CFormat.R(nover, 6)).Append(' ').Append(CFormat.R(pout, 9));
        sb.Append(' ').Append(CFormat.R(swap, 5));
        if (o.Oom)
            sb.Append(' ').Append(CFormat.R(oom, 6));
        sb.Append('\n');
    }
}
