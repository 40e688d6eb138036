using Solstice.Node;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>The console log never throws and stays bounded (issue #12 §4); no root needed.</summary>
public sealed class ConsoleLogTests
{
    [Fact]
    public void A_log_that_cannot_be_written_drops_output_and_never_throws()
    {
        using var dir = new TempDirectory("solstice-consolelog");
        File.WriteAllText(dir.Combine("file"), "");
        // Its directory can never be made: "file" is a file.
        using var log = new ConsoleLog(Path.Combine(dir.Combine("file"), "logs", "console.log"));
        log.Append("lost\n"u8);
        log.Append("lost too\n"u8);
        Assert.Equal(14, log.Dropped);
        log.Dispose();
        log.Append("after dispose\n"u8);
    }

    [Fact]
    public void The_log_rotates_at_its_cap()
    {
        using var dir = new TempDirectory("solstice-consolelog");
        string path = ConsoleLog.For(dir.Path, "5b6f0b2e-0c6b-4f43-9d70-00000000abcd");
        using var log = new ConsoleLog(path);
        var chunk = new byte[64 << 10];
        Array.Fill(chunk, (byte)'x');
        for (int i = 0; i < 40; i++)
            log.Append(chunk);
        // 2.5 MiB written: the oldest MiB rotated away, the next in console.log.0, the last half here.
        Assert.Equal(ConsoleLog.MaxBytes, new FileInfo(path + ".0").Length);
        Assert.Equal(8L * chunk.Length, new FileInfo(path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(0, log.Dropped);
    }
}
