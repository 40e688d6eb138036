using System.Diagnostics;
using System.Globalization;

namespace Solstice.Images.Tests;

/// <summary>lstat(2) facts .NET does not expose (owner, file type, inode), via stat(1).</summary>
public sealed record HostStat(int Uid, int Gid, uint RawMode, long MTime, ulong Inode)
{
    public uint Type => RawMode & 0xF000;

    public uint Permissions => RawMode & 0xFFF;

    public static HostStat Of(string path)
    {
        var info = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", "%u %g %f %Y %i", "--", path })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string[] parts = process.StandardOutput.ReadToEnd().Trim().Split(' ');
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"stat {path} failed");
        return new HostStat(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
            uint.Parse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture), ulong.Parse(parts[4], CultureInfo.InvariantCulture));
    }
}
