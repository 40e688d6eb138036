namespace Solstice.Network.Firewall;

/// <summary>
/// A TCP/UDP port target: one port (<c>PORT 80</c>), a range (<c>PORTS 1 - 9</c>) or <c>PORT all</c>.
/// A range keeps IsRange even when Start == End, because the canonical text prints it as a range.
/// </summary>
public readonly record struct FwPort(int Start, int End, bool IsRange)
{
    public static FwPort All { get; } = new(0, 0, false);

    public static FwPort Single(int port) => new(port, port, false);

    public static FwPort Range(int start, int end) => new(start, end, true);

    public bool IsAll => Start == 0;

    public override string ToString() => IsAll ? "all" : IsRange ? $"{Start} - {End}" : Start.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An ICMP target: <c>TYPE t</c>, <c>TYPE t CODE c</c> or <c>TYPE all</c>.</summary>
public readonly record struct FwIcmpType(int Type, int? Code)
{
    public static FwIcmpType All { get; } = new(-1, null);

    public bool IsAll => Type < 0;

    public override string ToString() => IsAll ? "all" : Code is { } code ? $"{Type} CODE {code}" : $"{Type}";
}
