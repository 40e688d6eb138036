using Solstice.Cli.Commands;

namespace Solstice.Cli.Tests;

public class ZloginArgvTests
{
    [Fact]
    public void No_command_is_a_login_shell() => Assert.Equal(["/bin/sh", "-l"], ZloginTool.ZoneArgv([]));

    [Fact]
    public void A_command_is_joined_and_run_by_the_zones_shell_as_smartos_does() =>
        Assert.Equal(["sh", "-c", "ls -l /etc | wc -l"], ZloginTool.ZoneArgv(["ls", "-l", "/etc", "|", "wc", "-l"]));
}
