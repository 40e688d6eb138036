namespace Solstice.Cli;

/// <summary>The process's streams, passed to commands so tests can run them in-process.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<Stream> OpenStandardInput, Func<Stream> OpenStandardOutput, string? ConfigPath = null, string? SocketPath = null)
{
    // Console.Out writes in 256-byte pieces; listings of thousands of rows want bigger writes.
    public static CliContext Console { get; } = new(
        new StreamWriter(System.Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = true },
        System.Console.Error, System.Console.OpenStandardInput, System.Console.OpenStandardOutput)
    {
        ErrorIsTerminal = !System.Console.IsErrorRedirected,
    };

    /// <summary>Whether Error is a terminal, where progress is drawn as a bar rather than printed as lines.</summary>
    public bool ErrorIsTerminal { get; init; }
}
