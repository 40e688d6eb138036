namespace Solstice.Images.Archive;

/// <summary>An archive entry that extraction refuses: unsafe (it would reach outside the root) or unsupported.</summary>
public sealed class ImageArchiveException(string entry, string reason)
    : Exception($"entry '{entry}': {reason}")
{
    public string Entry { get; } = entry;

    public string Reason { get; } = reason;
}
