namespace Solstice.Core.Vm;

/// <summary>Which error text a bad filter key gets: <c>Invalid filter key</c> (list) or <c>Invalid lookup key</c>.</summary>
public enum VmKeyContext
{
    List,
    Lookup,
}

/// <summary><c>vmadm list [-p] [-H] [-h] [-o f,..] [-s f,..] [key=value ...]</c>.</summary>
public sealed record VmListOptions
{
    /// <summary><c>-o</c>: output columns.</summary>
    public IReadOnlyList<string> Columns { get; init; } = VmListing.DefaultColumns;

    /// <summary><c>-s</c>: sort keys, each optionally prefixed with '-' (descending) or '+'.</summary>
    public IReadOnlyList<string> Sort { get; init; } = VmListing.DefaultSort;

    /// <summary><c>-p</c>: colon-separated, unpadded, no header unless <see cref="ForceHeader"/>.</summary>
    public bool Parsable { get; init; }

    /// <summary><c>-H</c>: no header.</summary>
    public bool NoHeader { get; init; }

    /// <summary><c>-h</c>: print the header even with <c>-p</c>.</summary>
    public bool ForceHeader { get; init; }

    /// <summary><c>key=value</c> and <c>key=~regex</c> arguments; all must match.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];
}

/// <summary><c>vmadm lookup [-j] [-1] [-o f,..] [key=value ...]</c>.</summary>
public sealed record VmLookupOptions
{
    /// <summary><c>-j</c>: print the matching VM objects as a JSON array.</summary>
    public bool Json { get; init; }

    /// <summary><c>-1</c>: exactly one VM must match.</summary>
    public bool Unique { get; init; }

    /// <summary><c>-o</c>: with <c>-j</c>, the keys to keep in each object.</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    public IReadOnlyList<string> Filters { get; init; } = [];
}
