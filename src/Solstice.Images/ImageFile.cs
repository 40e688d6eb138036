namespace Solstice.Images;

/// <summary>files[0] of a manifest: the image file's SHA-1 (lowercase hex), size in bytes and compression.</summary>
public sealed record ImageFile(string Sha1, long Size, string Compression);
