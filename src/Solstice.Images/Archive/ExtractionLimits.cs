namespace Solstice.Images.Archive;

/// <summary>
/// What one extraction may create: entries of any kind. The source names where the limit comes
/// from, for the message that refuses an archive. (The bytes an archive expands to are bounded
/// before extraction, by the decompression's expansion limit.)
/// </summary>
public sealed record ExtractionLimits(long MaxEntries, string MaxEntriesSource)
{
    public static ExtractionLimits None { get; } = new(long.MaxValue, "");
}
