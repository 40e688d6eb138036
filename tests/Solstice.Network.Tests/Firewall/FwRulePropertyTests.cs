using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

public class FwRulePropertyTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void Canonical_text_parses_back_to_the_same_rule()
    {
        var gen = new RuleGenerator(1);
        for (int i = 0; i < Iterations; i++)
        {
            var rule = gen.Rule();
            string text = rule.ToText();
            var parsed = Parse(text, i);
            Assert.True(rule.Normalize().Equals(parsed.Normalize()), $"iteration {i}: {text}");
            Assert.Equal(text, parsed.ToText());
        }
    }

    [Fact]
    public void Any_accepted_spelling_parses_to_the_same_rule()
    {
        var gen = new RuleGenerator(2);
        for (int i = 0; i < Iterations; i++)
        {
            var rule = gen.Rule();
            string text = gen.Write(rule);
            var parsed = Parse(text, i);
            Assert.True(rule.Normalize().Equals(parsed.Normalize()), $"iteration {i}: {text}\n  parsed as {parsed.ToText()}\n  expected {rule.ToText()}");
        }
    }

    [Fact]
    public void Garbage_fails_only_with_a_rule_error()
    {
        var gen = new RuleGenerator(3);
        int rejected = 0;
        for (int i = 0; i < 3 * Iterations; i++)
        {
            string text = gen.Garbage();
            try
            {
                var rule = FwRuleParser.Parse(text);
                Assert.Equal(rule.Normalize(), FwRuleParser.Parse(rule.ToText()).Normalize());
            }
            catch (FwRuleException ex)
            {
                Assert.False(string.IsNullOrEmpty(ex.Message));
                if (ex is FwRuleSyntaxException syntax)
                    Assert.InRange(syntax.Position, 0, text.Length);
                rejected++;
            }
        }
        Assert.True(rejected > Iterations, $"only {rejected} inputs were rejected");
    }

    private static FwRuleSpec Parse(string text, int iteration)
    {
        try
        {
            return FwRuleParser.Parse(text);
        }
        catch (FwRuleException ex)
        {
            Assert.Fail($"iteration {iteration}: {ex.Message}\n{text}");
            throw;
        }
    }
}
