using Solstice.Cli.Commands;
using Solstice.Cli.Commands.Imgadm;
using Solstice.Core;

namespace Solstice.Cli;

/// <summary>
/// One NativeAOT binary for every tool. It dispatches on the name it was started as (argv[0],
/// so vmadm, imgadm, fwadm and zlogin are symlinks to it), or on the first argument when started
/// as solstice ("solstice vmadm list"). Only Main turns outcomes into exit codes.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string invokedAs = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
        return Run(invokedAs, args, CliContext.Console);
    }

    public static int Run(string invokedAs, IReadOnlyList<string> args, CliContext context)
    {
        if (invokedAs is "solstice" or "solstice.dll" && args.Count > 0 && Tools.ContainsKey(args[0]))
        {
            invokedAs = args[0];
            args = args.Skip(1).ToList();
        }
        if (!Tools.TryGetValue(invokedAs, out var tool))
            tool = Tools["solstice"];
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

    private static readonly Dictionary<string, Func<IReadOnlyList<string>, CliContext, int>> Tools = new()
    {
        ["solstice"] = SolsticeTool.Run,
        ["vmadm"] = Commands.Vmadm.VmadmTool.Run,
        ["zlogin"] = Commands.ZloginTool.Run,
        ["fwadm"] = Commands.RelayTool.Fwadm,
        ["nictagadm"] = Commands.RelayTool.Nictagadm,
        ["imgadm"] = ImgadmTool.Run,
    };
}
