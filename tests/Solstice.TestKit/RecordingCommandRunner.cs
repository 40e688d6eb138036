using Solstice.Linux;

namespace Solstice.TestKit;

/// <summary>Records argv instead of running it; answers from a queue of canned results.</summary>
public sealed class RecordingCommandRunner : ICommandRunner
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    public Queue<CommandResult> Results { get; } = new();

    /// <summary>What each Run call was given on stdin (null when nothing), in call order.</summary>
    public List<string?> StandardInputs { get; } = [];

    /// <summary>The log path of each RunLogged call, in call order.</summary>
    public List<string> LogPaths { get; } = [];

    public CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null)
    {
        StandardInputs.Add(standardInput);
        return Next(argv);
    }

    public CommandResult RunLogged(IReadOnlyList<string> argv, string logPath)
    {
        LogPaths.Add(logPath);
        return Next(argv);
    }

    public CommandResult RunToStream(IReadOnlyList<string> argv, Stream output) => Next(argv);

    public CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input) => Next(argv);

    private CommandResult Next(IReadOnlyList<string> argv)
    {
        Calls.Add(argv.ToArray());
        return Results.Count > 0 ? Results.Dequeue() : new CommandResult(0, "", "");
    }
}
