namespace Solstice.Images.Archive;

/// <summary>
/// What one extraction may create: entries of any kind, and bytes of regular files' content.
/// The sources name where each limit comes from, for the message that refuses an archive.
/// </summary>
public sealed record ExtractionLimits(long MaxEntries, string MaxEntriesSource, long MaxContentBytes, string MaxContentBytesSource)
{
    public static ExtractionLimits None { get; } = new(long.MaxValue, "", long.MaxValue, "");
}
