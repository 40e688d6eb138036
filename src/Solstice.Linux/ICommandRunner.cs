namespace Solstice.Linux;

/// <summary>The result of a finished child process.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs host programs. The seam through which unit tests observe argv without root.</summary>
public interface ICommandRunner
{
    /// <summary>Runs argv to completion, capturing stdout and stderr.</summary>
    CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null);

    /// <summary>Runs argv with its stdout copied to output (for streams such as btrfs send).</summary>
    CommandResult RunToStream(IReadOnlyList<string> argv, Stream output);

    /// <summary>Runs argv with input copied to its stdin (for streams such as btrfs receive).</summary>
    CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input);

    /// <summary>
    /// Runs argv in a new session with stdin from /dev/null and stdout and stderr appended to logPath, and
    /// waits for argv's own exit only, never for end of output: descendants that inherit the stdio (a
    /// container's init under `runc create`) cannot block the call. StandardError holds what was appended
    /// to the log during the call (the last 64 KiB), StandardOutput is empty.
    /// </summary>
    CommandResult RunLogged(IReadOnlyList<string> argv, string logPath);
}
