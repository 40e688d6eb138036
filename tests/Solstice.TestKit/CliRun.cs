namespace Solstice.TestKit;

/// <summary>What one in-process CLI invocation printed and returned.</summary>
public sealed record CliOutcome(int ExitCode, string Out, string Error, byte[] Binary);
