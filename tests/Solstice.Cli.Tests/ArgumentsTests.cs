
namespace Solstice.Cli.Tests;

public class ArgumentsTests
{
    [Fact]
    public void Bundled_flags_and_attached_values()
    {
        var a = Arguments.Parse(["-Hp", "-oname,used", "-t", "all", "zones/a"], "Hpr", "ot");
        Assert.True(a.Has('H'));
        Assert.True(a.Has('p'));
        Assert.False(a.Has('r'));
        Assert.Equal("name,used", a.Value('o'));
        Assert.Equal("all", a.Value('t'));
        Assert.Equal(["zones/a"], a.Positional);
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        var a = Arguments.Parse(["-r", "--", "-notaflag"], "r", "");
        Assert.Equal(["-notaflag"], a.Positional);
    }

    [Fact]
    public void Unknown_option_and_missing_value_are_usage_errors()
    {
        Assert.Equal("invalid option 'x'", Assert.Throws<UsageException>(() => Arguments.Parse(["-x"], "r", "")).Message);
        Assert.Equal("missing argument for '-o' option", Assert.Throws<UsageException>(() => Arguments.Parse(["-o"], "", "o")).Message);
    }
}
