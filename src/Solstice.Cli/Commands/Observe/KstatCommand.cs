using Solstice.Observability;
using Solstice.Observability.Formats;

namespace Solstice.Cli.Commands.Observe;

/// <summary>
/// `solstice kstat`: SmartOS's caps and memory_cap kstats for every zone, in `kstat -p`'s
/// module:instance:name:statistic&lt;TAB&gt;value lines (always the parseable form).
/// </summary>
public static class KstatCommand
{
    public const string Usage = "usage: solstice kstat [-p] [-m module] [-i instance] [-n name] [-s statistic] [module:instance:name:statistic]... [interval [count]]";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "ph", "mins");
        if (a.Has('h'))
        {
            context.Out.WriteLine(Usage);
            return 0;
        }
        var selectors = a.Positional.Where(p => !IsNumber(p)).ToList();
        var operands = a.Positional.Where(IsNumber).ToList();
        string option = $"{a.Value('m')}:{a.Value('i')}:{a.Value('n')}:{a.Value('s')}";
        if (option != ":::")
            selectors.Add(option);
        if (selectors.Count == 0)
            selectors.Add("");
        foreach (string s in selectors)
            if (s.Split(':').Length > 4)
                throw new UsageException($"invalid statistic selector '{s}'\n{Usage}");
        var (interval, count) = operands.Count == 0 ? (0, 1) : ObserveTools.IntervalCount(operands, Usage, int.MaxValue, 1);
        var sampler = ObserveTools.Sampler(context);
        // caps' usage is a rate: the first report measures it over a tenth of a second.
        NodeSnapshot previous = sampler.Sample(SampleParts.Cgroups);
        Thread.Sleep(100);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
                Thread.Sleep(TimeSpan.FromSeconds(interval));
            var now = sampler.Sample(SampleParts.Cgroups);
            var values = KstatFormat.Collect(now, previous).Where(v => selectors.Any(s => KstatFormat.Matches(v, s)));
            context.Out.Write(KstatFormat.Render(values));
            if (count > 1)
                context.Out.Write('\n');
            context.Out.Flush();
            previous = now;
        }
        return 0;
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
