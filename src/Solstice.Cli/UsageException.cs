namespace Solstice.Cli;

/// <summary>A command-line mistake: the tool prints the message and its usage, and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
