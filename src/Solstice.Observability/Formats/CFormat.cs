using System.Globalization;

namespace Solstice.Observability.Formats;

/// <summary>printf's conversions as SmartOS's tools use them, so columns match byte for byte.</summary>
public static class CFormat
{
    private static readonly CultureInfo s_c = CultureInfo.InvariantCulture;

    /// <summary>%Ns: right-aligned in width (never truncated).</summary>
    public static string R(string s, int width) => s.PadLeft(width);

    /// <summary>%-Ns: left-aligned in width.</summary>
    public static string L(string s, int width) => s.PadRight(width);

    /// <summary>%W.Pf</summary>
    public static string F(double value, int width, int precision) => value.ToString("F" + precision, s_c).PadLeft(width);

    /// <summary>%Wd of a number truncated toward zero, as C does for a double passed to %d/%u by awk and perl.</summary>
    public static string D(double value, int width) => ((long)value).ToString(s_c).PadLeft(width);

    /// <summary>
    /// awk's conversion of a number to a string (CONVFMT "%.6g", integers exactly): how zonememstat's
    /// SWAP% column prints through %s.
    /// </summary>
    public static string AwkNumber(double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
            return ((long)value).ToString(s_c);
        string g = value.ToString("G6", s_c);
        int e = g.IndexOf('E');
        if (e < 0)
            return g;
        // .NET writes 1E-05 / 1E+15; C writes 1e-05 / 1e+15.
        string mantissa = g[..e];
        string exponent = g[(e + 1)..];
        char sign = exponent[0] == '-' ? '-' : '+';
        string digits = exponent.TrimStart('+', '-').PadLeft(2, '0');
        return $"{mantissa}e{sign}{digits}";
    }
}
