using Solstice.Linux;

namespace Solstice.TestKit;

/// <summary>Records argv instead of running it; answers from a queue of canned results.</summary>
public sealed class RecordingCommandRunner : ICommandRunner
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    public Queue<CommandResult> Results { get; } = new();

    public CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null) => Next(argv);

    public CommandResult RunToStream(IReadOnlyList<string> argv, Stream output) => Next(argv);

    public CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input) => Next(argv);

    private CommandResult Next(IReadOnlyList<string> argv)
    {
        Calls.Add(argv.ToArray());
        return Results.Count > 0 ? Results.Dequeue() : new CommandResult(0, "", "");
    }
}
