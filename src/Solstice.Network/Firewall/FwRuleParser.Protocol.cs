namespace Solstice.Network.Firewall;

public static partial class FwRuleParser
{
    private sealed partial class Core
    {
        private (FwProtocol, List<FwPort>, List<FwIcmpType>) ProtocolClause()
        {
            var token = Shift();
            switch (token.Kind)
            {
                case FwTokenKind.Tcp or FwTokenKind.Udp:
                    var protocol = token.Kind == FwTokenKind.Tcp ? FwProtocol.Tcp : FwProtocol.Udp;
                    return (protocol, PortClause(), []);
                case FwTokenKind.Icmp or FwTokenKind.Icmp6:
                    var types = TypeClause();
                    if (token.Kind == FwTokenKind.Icmp6)
                        RequireVersion(3, "IPv6");
                    return (token.Kind == FwTokenKind.Icmp ? FwProtocol.Icmp : FwProtocol.Icmp6, [], types);
                default:
                    Lookahead(Set.End);
                    RequireVersion(4, token.Kind == FwTokenKind.Ah ? "AH" : "ESP");
                    return (token.Kind == FwTokenKind.Ah ? FwProtocol.Ah : FwProtocol.Esp, [], []);
            }
        }

        private List<FwPort> PortClause()
        {
            var start = Expect(Set.PortStart);
            if (start.Kind == FwTokenKind.Ports)
                return PortRanges();
            bool parenthesised = start.Kind == FwTokenKind.LParen;
            if (parenthesised)
                Expect(FwTokenKind.Port);
            var first = Expect(Set.WordOrAll);
            if (first.Kind == FwTokenKind.All)
            {
                Lookahead(Set.AllFollow);
                if (parenthesised)
                    Expect(FwTokenKind.RParen);
                Lookahead(Set.End);
                return [FwPort.All];
            }
            Lookahead(Set.PortFollow);
            var ports = new List<FwPort> { FwPort.Single(FwRuleValues.Port(first.Text)) };
            if (!parenthesised)
            {
                Lookahead(Set.End);
                return ports;
            }
            Lookahead(Set.AndListFollow);
            while (Expect(Set.AndListFollow).Kind == FwTokenKind.And)
            {
                Expect(FwTokenKind.Port);
                var word = Expect(FwTokenKind.Word);
                Lookahead(Set.PortFollow);
                ports.Add(FwPort.Single(FwRuleValues.Port(word.Text)));
                Lookahead(Set.AndListFollow);
            }
            Lookahead(Set.End);
            return ports;
        }

        private List<FwPort> PortRanges()
        {
            var ports = new List<FwPort>();
            while (true)
            {
                var first = Expect(FwTokenKind.Word);
                Lookahead(Set.RangeWordFollow);
                if (Peek().Kind == FwTokenKind.Dash)
                {
                    Shift();
                    var last = Expect(FwTokenKind.Word);
                    Lookahead(Set.RangeFollow);
                    ports.Add(FwRuleValues.Range(first.Text, last.Text));
                }
                else
                {
                    ports.Add(FwRuleValues.PortOrRange(first.Text));
                }
                if (Peek().Kind != FwTokenKind.Comma)
                    break;
                Shift();
            }
            RequireVersion(2, "port ranges");
            Lookahead(Set.End);
            return ports;
        }

        private List<FwIcmpType> TypeClause()
        {
            bool parenthesised = Expect(Set.TypeStart).Kind == FwTokenKind.LParen;
            if (parenthesised)
                Expect(FwTokenKind.Type);
            var first = Expect(Set.WordOrAll);
            if (first.Kind == FwTokenKind.All)
            {
                Lookahead(Set.AllFollow);
                RequireVersion(3, "all ICMP types");
                if (parenthesised)
                    Expect(FwTokenKind.RParen);
                Lookahead(Set.End);
                return [FwIcmpType.All];
            }
            var types = new List<FwIcmpType> { TypeAfterWord(first) };
            if (!parenthesised)
            {
                Lookahead(Set.End);
                return types;
            }
            Lookahead(Set.AndListFollow);
            while (Expect(Set.AndListFollow).Kind == FwTokenKind.And)
            {
                Expect(FwTokenKind.Type);
                types.Add(TypeAfterWord(Expect(FwTokenKind.Word)));
                Lookahead(Set.AndListFollow);
            }
            Lookahead(Set.End);
            return types;
        }

        private FwIcmpType TypeAfterWord(FwToken typeWord)
        {
            Lookahead(Set.IcmpTypeFollow);
            int type = FwRuleValues.IcmpType(typeWord.Text);
            if (Peek().Kind != FwTokenKind.Code)
                return new FwIcmpType(type, null);
            Shift();
            var codeWord = Expect(FwTokenKind.Word);
            Lookahead(Set.PortFollow);
            return new FwIcmpType(type, FwRuleValues.IcmpCode(codeWord.Text));
        }
    }

    /// <summary>Terminal sets as bit masks: the lookahead sets of sdc-fwrule's parser states.</summary>
    private static class Set
    {
        public static ulong Of(params FwTokenKind[] kinds)
        {
            ulong mask = 0;
            foreach (var kind in kinds)
                mask |= 1UL << (int)kind;
            return mask;
        }

        public static bool Contains(ulong set, FwTokenKind kind) => (set & (1UL << (int)kind)) != 0;

        public static IEnumerable<FwTokenKind> Members(ulong set)
        {
            foreach (var kind in Enum.GetValues<FwTokenKind>())
            {
                if (Contains(set, kind))
                    yield return kind;
            }
        }

        public static readonly ulong End = Of(FwTokenKind.Eof, FwTokenKind.Priority);
        public static readonly ulong Actions = Of(FwTokenKind.Block, FwTokenKind.Allow);
        public static readonly ulong Protocols = Of(FwTokenKind.Tcp, FwTokenKind.Udp, FwTokenKind.Icmp, FwTokenKind.Icmp6, FwTokenKind.Ah, FwTokenKind.Esp);
        public static readonly ulong TargetStart = Of(FwTokenKind.Ip, FwTokenKind.Subnet, FwTokenKind.Vm, FwTokenKind.Tag);
        public static readonly ulong ParenthesisStart = TargetStart | Of(FwTokenKind.All, FwTokenKind.Any);
        public static readonly ulong TargetListStart = ParenthesisStart | Of(FwTokenKind.LParen);
        public static readonly ulong TargetListFollow = Of(FwTokenKind.To, FwTokenKind.Block, FwTokenKind.Allow);
        public static readonly ulong OrListFollow = Of(FwTokenKind.RParen, FwTokenKind.Or);
        public static readonly ulong TargetFollow = TargetListFollow | OrListFollow;
        public static readonly ulong TagStrings = Of(FwTokenKind.Word, FwTokenKind.String);
        public static readonly ulong TagStringFollow = TargetFollow | Of(FwTokenKind.Equals);
        public static readonly ulong Addresses = Of(FwTokenKind.Ipv4Addr, FwTokenKind.Ipv6Addr);
        public static readonly ulong PortStart = Of(FwTokenKind.LParen, FwTokenKind.Port, FwTokenKind.Ports);
        public static readonly ulong TypeStart = Of(FwTokenKind.LParen, FwTokenKind.Type);
        public static readonly ulong WordOrAll = Of(FwTokenKind.Word, FwTokenKind.All);
        public static readonly ulong AndListFollow = Of(FwTokenKind.RParen, FwTokenKind.And);
        public static readonly ulong AllFollow = End | Of(FwTokenKind.RParen);
        public static readonly ulong PortFollow = End | AndListFollow;
        public static readonly ulong IcmpTypeFollow = PortFollow | Of(FwTokenKind.Code);
        public static readonly ulong RangeFollow = End | Of(FwTokenKind.Comma);
        public static readonly ulong RangeWordFollow = RangeFollow | Of(FwTokenKind.Dash);
    }
}
