using Solstice.Core;

namespace Solstice.Storage;

/// <summary>
/// A zfs-style name: "pool", "pool/a/b" or "pool/a/b@snap". Relative is the path below the pool
/// ("" for the pool's root dataset). Validation rejects anything that could leave the pool:
/// empty components, ".", "..", a leading dot (reserved for the pool's hidden directories),
/// characters outside [A-Za-z0-9_.:-], and names longer than zfs allows.
/// </summary>
public sealed record DatasetName(string Pool, string Relative, string? Snapshot)
{
    /// <summary>ZFS_MAX_DATASET_NAME_LEN is 256 including the terminating NUL.</summary>
    public const int MaxLength = 255;
    public const int MaxComponentLength = 200;

    public string Dataset => Relative.Length == 0 ? Pool : $"{Pool}/{Relative}";

    public bool IsSnapshot => Snapshot is not null;

    public bool IsPoolRoot => Relative.Length == 0;

    public DatasetName WithoutSnapshot => this with { Snapshot = null };

    public DatasetName Child(string relativeChild) =>
        this with { Relative = Relative.Length == 0 ? relativeChild : $"{Relative}/{relativeChild}", Snapshot = null };

    public DatasetName? Parent
    {
        get
        {
            if (Relative.Length == 0)
                return null;
            int slash = Relative.LastIndexOf('/');
            return this with { Relative = slash < 0 ? "" : Relative[..slash], Snapshot = null };
        }
    }

    public override string ToString() => Snapshot is null ? Dataset : $"{Dataset}@{Snapshot}";

    public static DatasetName Parse(string text) =>
        TryParse(text, out var name, out string? error)
            ? name
            : throw new SolsticeException(ErrorCode.InvalidArgument, $"cannot open '{text}': {error}");

    public static bool TryParse(string text, out DatasetName name, out string? error)
    {
        name = null!;
        error = Validate(text);
        if (error is not null)
            return false;
        string snapshot = "";
        string dataset = text;
        int at = text.IndexOf('@');
        if (at >= 0)
        {
            dataset = text[..at];
            snapshot = text[(at + 1)..];
        }
        int slash = dataset.IndexOf('/');
        name = new DatasetName(
            slash < 0 ? dataset : dataset[..slash],
            slash < 0 ? "" : dataset[(slash + 1)..],
            at >= 0 ? snapshot : null);
        return true;
    }

    private static string? Validate(string text)
    {
        if (string.IsNullOrEmpty(text))
            return "empty name";
        if (text.Length > MaxLength)
            return $"name is too long (more than {MaxLength} characters)";
        int at = text.IndexOf('@');
        if (at >= 0 && text.IndexOf('@', at + 1) >= 0)
            return "multiple '@' delimiters in name";
        string dataset = at >= 0 ? text[..at] : text;
        if (at >= 0)
        {
            string? snapshotError = ValidateComponent(text[(at + 1)..], "snapshot name");
            if (snapshotError is not null)
                return snapshotError;
        }
        string[] parts = dataset.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            string? componentError = ValidateComponent(parts[i], i == 0 ? "pool name" : "dataset name component");
            if (componentError is not null)
                return componentError;
        }
        if (!char.IsAsciiLetter(parts[0][0]))
            return "pool name must begin with a letter";
        return null;
    }

    private static string? ValidateComponent(string part, string what)
    {
        if (part.Length == 0)
            return $"empty {what}";
        if (part is "." or "..")
            return $"'{part}' is not a valid {what}";
        if (part[0] == '.')
            return $"{what} '{part}' must not begin with '.'";
        if (part.Length > MaxComponentLength)
            return $"{what} '{part}' is too long";
        foreach (char c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
                return $"invalid character '{c}' in {what} '{part}'";
        }
        return null;
    }
}
