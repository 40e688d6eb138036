using Solstice.Core;

namespace Solstice.Network.Firewall;

/// <summary>One problem with a rule payload: the field it concerns ("rule", "uuid", "owner_uuid", ...) and the message.</summary>
public sealed record FwRuleError(string Field, string Message);

/// <summary>
/// A rule or rule payload is invalid. Messages follow sdc-fwrule's wording; <see cref="Errors"/> lists
/// every problem found (fwadm prints one per line), <see cref="Field"/> is the first one's field.
/// </summary>
public class FwRuleException : SolsticeException
{
    public FwRuleException(string field, string message)
        : this([new FwRuleError(field, message)])
    {
    }

    public FwRuleException(IReadOnlyList<FwRuleError> errors)
        : base(ErrorCode.InvalidArgument, errors.Count == 1 ? errors[0].Message : $"first of {errors.Count} errors: {errors[0].Message}")
    {
        Errors = errors;
    }

    public string Field => Errors[0].Field;

    public IReadOnlyList<FwRuleError> Errors { get; }
}

/// <summary>
/// The rule text does not follow the grammar. Position is the column sdc-fwrule reports: the end of the
/// last token accepted (for a character no token can start with, that character's offset); Offset is
/// where the offending text starts. Expected is empty for a lexical error.
/// </summary>
public sealed class FwRuleSyntaxException : FwRuleException
{
    internal FwRuleSyntaxException(string message, int position, int offset, string text, string found, IReadOnlyList<string> expected)
        : base("rule", message)
    {
        Position = position;
        Offset = offset;
        Text = text;
        Found = found;
        Expected = expected;
    }

    public int Position { get; }

    public int Offset { get; }

    /// <summary>The offending token's text (for a lexical error, up to 20 characters of what follows).</summary>
    public string Text { get; }

    /// <summary>The offending token's kind as fwrule names it ("word", "OR", "EOF"), or "unexpected text".</summary>
    public string Found { get; }

    public IReadOnlyList<string> Expected { get; }
}
