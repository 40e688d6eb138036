using System.Diagnostics;

namespace Solstice.Linux;

/// <summary>The real runner: System.Diagnostics.Process with argv passed as a list, never through a shell.</summary>
public sealed partial class ProcessCommandRunner : ICommandRunner
{
    public static readonly ProcessCommandRunner Instance = new();

    public CommandResult Run(IReadOnlyList<string> argv, string? standardInput = null)
    {
        using var process = Start(argv, redirectIn: standardInput is not null, redirectOut: true);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public CommandResult RunToStream(IReadOnlyList<string> argv, Stream output)
    {
        using var process = Start(argv, redirectIn: false, redirectOut: true);
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        output.Flush();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, "", stderr.GetAwaiter().GetResult());
    }

    public CommandResult RunFromStream(IReadOnlyList<string> argv, Stream input)
    {
        using var process = Start(argv, redirectIn: true, redirectOut: true);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            input.CopyTo(process.StandardInput.BaseStream);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child stopped reading (it failed); its exit code and stderr say why.
        }
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static Process Start(IReadOnlyList<string> argv, bool redirectIn, bool redirectOut)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = redirectIn,
            RedirectStandardOutput = redirectOut,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        for (int i = 1; i < argv.Count; i++)
            info.ArgumentList.Add(argv[i]);
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"could not start {argv[0]}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new Solstice.Core.SolsticeException(Solstice.Core.ErrorCode.Unavailable,
                $"cannot run '{argv[0]}': {ex.Message} (is it installed?)", ex);
        }
    }
}
