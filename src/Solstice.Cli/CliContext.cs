namespace Solstice.Cli;

/// <summary>The process's streams, passed to commands so tests can run them in-process.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<Stream> OpenStandardInput, Func<Stream> OpenStandardOutput, string? ConfigPath = null, string? SocketPath = null)
{
    public static CliContext Console { get; } = new(
        System.Console.Out, System.Console.Error, System.Console.OpenStandardInput, System.Console.OpenStandardOutput)
    {
        ErrorIsTerminal = !System.Console.IsErrorRedirected,
    };

    /// <summary>Whether Error is a terminal, where progress is drawn as a bar rather than printed as lines.</summary>
    public bool ErrorIsTerminal { get; init; }
}
