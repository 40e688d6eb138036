using System.Diagnostics;
using System.Globalization;
using Solstice.Images.Import;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>
/// Import progress for imgadm: on a terminal a bar on stderr redrawn in place (bytes, rate, ETA);
/// otherwise one line per download when it ends, so logs stay readable. Messages go to stdout.
/// </summary>
public sealed class ProgressRenderer(CliContext context, bool quiet) : IImportProgress
{
    private static readonly TimeSpan s_redraw = TimeSpan.FromMilliseconds(100);
    private readonly Stopwatch _clock = new();
    private string _label = "";
    private long? _total;
    private long _done;
    private TimeSpan _lastDraw;
    private bool _drawn;

    public void Line(string text)
    {
        ClearBar();
        context.Out.WriteLine(text);
    }

    public void Begin(string label, long? total)
    {
        _label = label;
        _total = total;
        _done = 0;
        _lastDraw = TimeSpan.Zero;
        _clock.Restart();
    }

    public void Advance(long done)
    {
        _done = done;
        if (quiet || !context.ErrorIsTerminal || _clock.Elapsed - _lastDraw < s_redraw)
            return;
        _lastDraw = _clock.Elapsed;
        Draw();
    }

    public void End()
    {
        _clock.Stop();
        if (quiet)
            return;
        if (context.ErrorIsTerminal)
        {
            Draw();
            context.Error.WriteLine();
            _drawn = false;
            return;
        }
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Downloaded {_label}: {Size(_done)} in {seconds:F1}s ({Size((long)(_done / seconds))}/s)"));
    }

    private void Draw()
    {
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        double rate = _done / seconds;
        string line;
        if (_total is { } total && total > 0)
        {
            double fraction = Math.Clamp((double)_done / total, 0, 1);
            const int width = 30;
            int filled = (int)(fraction * width);
            string bar = new string('=', filled) + (filled < width ? ">" : "") + new string(' ', Math.Max(0, width - filled - 1));
            string eta = rate > 0 && _done < total ? $" ETA {Duration((total - _done) / rate)}" : "";
            line = string.Create(CultureInfo.InvariantCulture,
                $"{_label} [{bar}] {fraction * 100,3:F0}% {Size(_done)}/{Size(total)} {Size((long)rate)}/s{eta}");
        }
        else
        {
            line = $"{_label} {Size(_done)} {Size((long)rate)}/s";
        }
        context.Error.Write("\r" + line + "\u001b[K");
        context.Error.Flush();
        _drawn = true;
    }

    private void ClearBar()
    {
        if (!_drawn)
            return;
        context.Error.Write("\r\u001b[K");
        _drawn = false;
    }

    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes}B" : string.Create(CultureInfo.InvariantCulture, $"{value:F1}{units[unit]}");
    }

    private static string Duration(double seconds) =>
        seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F0}s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)seconds / 60}m{(int)seconds % 60:00}s");
}
