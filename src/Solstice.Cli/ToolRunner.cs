using Solstice.Core;

namespace Solstice.Cli;

/// <summary>
/// Runs one tool and turns its outcome into an exit code and, on failure, one sentence on stderr:
/// the same for the full binary (solstice, Program) and the node tools' (solstice-vmtools).
/// </summary>
public static class ToolRunner
{
    public static int Run(string invokedAs, Func<IReadOnlyList<string>, CliContext, int> tool, IReadOnlyList<string> args, CliContext context)
    {
        try
        {
            return tool(args, context);
        }
        catch (UsageException ex)
        {
            context.Error.WriteLine($"{invokedAs}: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (SolsticeException ex)
        {
            context.Error.WriteLine(ex.Message);
            return ExitCodes.For(ex.Code);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The last boundary: whatever escaped a command becomes one sentence and exit 1, never a stack
            // trace or an abort (an unhandled exception in a NativeAOT program is SIGABRT).
            context.Error.WriteLine($"{invokedAs}: {Describe(ex)}");
            return ExitCodes.Error;
        }
    }

    /// <summary>A sentence for an exception no command translated, by its type rather than the runtime's text alone.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        System.Text.Json.JsonException json => json.LineNumber is { } line && json.BytePositionInLine is { } column
            ? $"malformed JSON at line {line + 1}, column {column + 1}"
            : "malformed JSON",
        FileNotFoundException missing => $"{missing.FileName ?? "a file"}: no such file",
        DirectoryNotFoundException => $"no such directory ({ex.Message})",
        UnauthorizedAccessException => $"permission denied ({ex.Message})",
        IOException => $"input/output error: {ex.Message}",
        _ => $"unexpected {ex.GetType().Name}: {ex.Message}",
    };
}
