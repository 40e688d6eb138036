using System.Globalization;

namespace Solstice.Core;

/// <summary>zfs-style sizes: 1024-based suffixes, at most three significant digits when shown.</summary>
public static class ByteSize
{
    private const string Suffixes = "BKMGTPE";

    /// <summary>Formats like zfs_nicebytes: "0B", "512B", "24K", "1.50G", "96.5K".</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        int index = 0;
        double value = bytes;
        while (value >= 1024 && index < Suffixes.Length - 1)
        {
            value /= 1024;
            index++;
        }
        char suffix = Suffixes[index];
        long divisor = 1L << (10 * index);
        if (bytes % divisor == 0)
            return (bytes / divisor).ToString(CultureInfo.InvariantCulture) + suffix;
        for (int decimals = 2; decimals >= 0; decimals--)
        {
            string text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (text.Length <= 4)
                return text + suffix;
        }
        return Math.Round(value).ToString(CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>Parses "1024", "10G", "1.5M", "10GiB", "10GB" (all 1024-based, as zfs does).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        string s = text.Trim();
        int end = s.Length;
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
            end -= 2;
        else if (end > 1 && (s[end - 1] is 'B' or 'b') && char.IsLetter(s[end - 2]))
            end -= 1;
        int shift = 0;
        if (end > 0 && char.IsLetter(s[end - 1]))
        {
            int index = Suffixes.IndexOf(char.ToUpperInvariant(s[end - 1]));
            if (index < 0)
                return false;
            shift = 10 * index;
            end--;
        }
        else if (end > 0 && s.Length > end && s[end] is 'B' or 'b')
        {
            shift = 0;
        }
        string number = s[..end];
        if (number.Length == 0 || number.StartsWith('-') || number.StartsWith('+'))
            return false;
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            return false;
        if (value > long.MaxValue >> shift)
            return false;
        decimal result = value * (1L << shift);
        bytes = (long)decimal.Round(result);
        return true;
    }
}
