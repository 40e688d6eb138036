using Solstice.Instances.Hvm;

namespace Solstice.Instances.Tests.Hvm;

public class QemuWordsTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  -a   b\t-c\n", new[] { "-a", "b", "-c" })]
    [InlineData("-append 'console=ttyS0 quiet'", new[] { "-append", "console=ttyS0 quiet" })]
    [InlineData("-name \"a \\\"b\\\" \\\\ \\x\"", new[] { "-name", "a \"b\" \\ \\x" })]
    [InlineData("a\\ b c''d \"\"", new[] { "a b", "cd", "" })]
    [InlineData("$HOME *", new[] { "$HOME", "*" })]
    public void Splits_like_bash_without_expansions(string text, string[] expected)
    {
        Assert.True(QemuWords.TrySplit(text, out var words, out var error), error);
        Assert.Equal(expected, words);
    }

    [Theory]
    [InlineData("-append 'x", "single")]
    [InlineData("-append \"x", "double")]
    public void An_unterminated_quote_is_an_error(string text, string which)
    {
        Assert.False(QemuWords.TrySplit(text, out _, out var error));
        Assert.Contains(which, error);
    }

    [Fact]
    public void Commas_in_option_values_are_doubled() =>
        Assert.Equal("/a,,b", QemuWords.Escape("/a,b"));
}
