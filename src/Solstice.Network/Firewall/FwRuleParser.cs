using System.Diagnostics.CodeAnalysis;

namespace Solstice.Network.Firewall;

/// <summary>Parser options. MaxVersion limits the language features (fwrule versions 1 to 4).</summary>
public sealed record FwParseOptions(int MaxVersion = FwRuleParser.CurrentVersion, bool EnforceSubnetMask = false)
{
    public static FwParseOptions Default { get; } = new();
}

/// <summary>
/// Parses fwrule text (language version 4, smartos-interfaces.md §5.3) into the parse tree
/// (<see cref="FwRuleSpec"/>, unnormalised). Every failure, for any input string, is an
/// <see cref="FwRuleException"/>: <see cref="FwRuleSyntaxException"/> for the grammar, the base type for
/// values (addresses, ports, uuids, version features) with sdc-fwrule's messages.
/// </summary>
public static partial class FwRuleParser
{
    public const int CurrentVersion = 4;

    public static FwRuleSpec Parse(string text, FwParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Core(text, options ?? FwParseOptions.Default).ParseRule();
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out FwRuleSpec? rule, [NotNullWhen(false)] out FwRuleException? error,
        FwParseOptions? options = null)
    {
        try
        {
            rule = Parse(text, options);
            error = null;
            return true;
        }
        catch (FwRuleException ex)
        {
            rule = null;
            error = ex;
            return false;
        }
    }

    /// <summary>
    /// A recursive-descent rendering of sdc-fwrule's LALR grammar. Wherever the LALR parser would read
    /// a lookahead before reducing, this reads one too and checks it against the same lookahead set, so
    /// errors come out at the same point, listing the same expected terminals, and value errors (an
    /// invalid address) are raised only after the token following the value has been accepted.
    /// </summary>
    private sealed partial class Core(string input, FwParseOptions options)
    {
        private readonly FwRuleLexer _lexer = new(input);
        private FwToken? _peeked;
        private int _lastEnd = -1;

        public FwRuleSpec ParseRule()
        {
            Expect(FwTokenKind.From);
            var from = TargetList();
            Expect(FwTokenKind.To);
            var to = TargetList();
            var action = Expect(Set.Actions).Kind == FwTokenKind.Allow ? FwAction.Allow : FwAction.Block;
            Lookahead(Set.Protocols);
            var (protocol, ports, types) = ProtocolClause();
            int? priority = null;
            if (Expect(Set.End).Kind == FwTokenKind.Priority)
            {
                priority = FwRuleValues.Priority(Expect(FwTokenKind.Word).Text);
                Expect(FwTokenKind.Eof);
                RequireVersion(4, "priority levels");
            }
            return new FwRuleSpec(from, to, action, protocol, ports, types, priority);
        }

        private List<FwTarget> TargetList()
        {
            var first = Expect(Set.TargetListStart);
            switch (first.Kind)
            {
                case FwTokenKind.Any:
                    Lookahead(Set.TargetListFollow);
                    return [FwTarget.Any];
                case FwTokenKind.All:
                    Expect(FwTokenKind.Vms);
                    Lookahead(Set.TargetListFollow);
                    return [FwTarget.AllVms];
                case FwTokenKind.LParen:
                    return ParenthesisedTargets();
                default:
                    var target = Target(first);
                    Lookahead(Set.TargetListFollow);
                    return [target];
            }
        }

        private List<FwTarget> ParenthesisedTargets()
        {
            var first = Expect(Set.ParenthesisStart);
            if (first.Kind is FwTokenKind.All or FwTokenKind.Any)
            {
                if (first.Kind == FwTokenKind.All)
                    Expect(FwTokenKind.Vms);
                Expect(FwTokenKind.RParen);
                Lookahead(Set.TargetListFollow);
                return [first.Kind == FwTokenKind.All ? FwTarget.AllVms : FwTarget.Any];
            }
            var targets = new List<FwTarget> { Target(first) };
            Lookahead(Set.OrListFollow);
            while (Expect(Set.OrListFollow).Kind == FwTokenKind.Or)
            {
                targets.Add(Target(Expect(Set.TargetStart)));
                Lookahead(Set.OrListFollow);
            }
            Lookahead(Set.TargetListFollow);
            return targets;
        }

        private FwTarget Target(FwToken keyword)
        {
            switch (keyword.Kind)
            {
                case FwTokenKind.Ip:
                {
                    var address = Expect(Set.Addresses);
                    Lookahead(Set.TargetFollow);
                    if (address.Kind == FwTokenKind.Ipv6Addr)
                        RequireVersion(3, "IPv6");
                    FwRuleValues.IpAddress(address.Text, address.Kind == FwTokenKind.Ipv6Addr);
                    return FwTarget.Ip(address.Text);
                }
                case FwTokenKind.Subnet:
                {
                    var address = Expect(Set.Addresses);
                    var suffix = Expect(FwTokenKind.CidrSuffix);
                    Lookahead(Set.TargetFollow);
                    if (address.Kind == FwTokenKind.Ipv6Addr)
                        RequireVersion(3, "IPv6");
                    string cidr = address.Text + suffix.Text;
                    FwRuleValues.Subnet(cidr, options.EnforceSubnetMask);
                    return FwTarget.Subnet(cidr);
                }
                case FwTokenKind.Vm:
                {
                    var uuid = Expect(FwTokenKind.Word);
                    Lookahead(Set.TargetFollow);
                    if (!FwRuleValues.IsUuid(uuid.Text))
                        throw new FwRuleException("rule", $"UUID \"{uuid.Text}\" is invalid");
                    return FwTarget.Vm(uuid.Text);
                }
                default:
                {
                    var name = Expect(Set.TagStrings);
                    Lookahead(Set.TagStringFollow);
                    if (Peek().Kind != FwTokenKind.Equals)
                        return FwTarget.Tag(name.Value);
                    Shift();
                    var value = Expect(Set.TagStrings);
                    Lookahead(Set.TagStringFollow);
                    Lookahead(Set.TargetFollow);
                    return FwTarget.Tag(name.Value, value.Value);
                }
            }
        }

        private FwToken Peek() => _peeked ??= _lexer.Next();

        private FwToken Shift()
        {
            var token = Peek();
            _peeked = null;
            _lastEnd = token.End;
            return token;
        }

        private FwToken Expect(FwTokenKind kind) => Expect(Set.Of(kind));

        private FwToken Expect(ulong expected)
        {
            Lookahead(expected);
            return Shift();
        }

        /// <summary>Checks the next token against the set the LALR state would accept, without consuming it.</summary>
        private void Lookahead(ulong accepted)
        {
            var token = Peek();
            if (!Set.Contains(accepted, token.Kind))
                throw SyntaxError(token, accepted);
        }

        private void RequireVersion(int version, string feature)
        {
            if (version > options.MaxVersion)
                throw new FwRuleException("rule", $"The rule uses a feature ({feature}) newer than this API allows");
        }

        private FwRuleSyntaxException SyntaxError(FwToken token, ulong expected)
        {
            int position = _lastEnd < 0 ? 0 : ColumnOf(_lastEnd);
            var names = Set.Members(expected).Select(FwTokenNames.Expected).ToList();
            string found = FwTokenNames.Found(token.Kind);
            return new FwRuleSyntaxException(
                $"Error at character {position}: '{token.Text}', expected: {string.Join(", ", names)}, found: {found}",
                position, token.Start, token.Text, found, names);
        }

        /// <summary>The column within its line, as the generated lexer tracks locations.</summary>
        private int ColumnOf(int offset)
        {
            int lineStart = input.AsSpan(0, offset).LastIndexOfAny('\n', '\r') + 1;
            return offset - lineStart;
        }
    }
}
