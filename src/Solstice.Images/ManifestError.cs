namespace Solstice.Images;

/// <summary>One problem with an image manifest: the field (dotted, "files[0].sha1") and what is wrong.</summary>
public sealed record ManifestError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
