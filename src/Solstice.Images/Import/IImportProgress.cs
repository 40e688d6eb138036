namespace Solstice.Images.Import;

/// <summary>What an import reports while it runs; the CLI draws a bar on a terminal and prints lines otherwise.</summary>
public interface IImportProgress
{
    /// <summary>A message line ("Importing …", "Waiting for …", "Installed …").</summary>
    void Line(string text);

    /// <summary>A download starts: what, and how many bytes are expected (null when unknown).</summary>
    void Begin(string label, long? total);

    /// <summary>Bytes received so far for the download begun last.</summary>
    void Advance(long done);

    /// <summary>The download begun last ended (successfully or not).</summary>
    void End();
}

/// <summary>Reports nothing.</summary>
public sealed class SilentProgress : IImportProgress
{
    public static SilentProgress Instance { get; } = new();

    public void Line(string text) { }
    public void Begin(string label, long? total) { }
    public void Advance(long done) { }
    public void End() { }
}
