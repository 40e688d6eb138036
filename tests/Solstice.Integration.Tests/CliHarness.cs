using System.Diagnostics;
using Solstice.Cli;
using Solstice.TestKit;

namespace Solstice.Integration.Tests;

/// <summary>Runs the CLI in-process, or as a real process (for pipes between two invocations).</summary>
public static class CliHarness
{
    public static CliOutcome Run(string configPath, params string[] args) => Run(configPath, [], args);

    public static CliOutcome Run(string configPath, byte[] stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var binary = new MemoryStream();
        var context = new CliContext(output, error, () => new MemoryStream(stdin), () => new NonClosingStream(binary), configPath);
        int code = Program.Run(args[0], args.Skip(1).ToList(), context);
        return new CliOutcome(code, output.ToString(), error.ToString(), binary.ToArray());
    }

    /// <summary>The built CLI (solstice.dll next to the tests), run through dotnet.</summary>
    public static string CliCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "solstice.dll")}";

    /// <summary>Runs a shell pipeline with SOLSTICE_CONFIG set; returns exit code and stderr.</summary>
    public static (int ExitCode, string Error) Shell(string configPath, string script)
    {
        var info = new ProcessStartInfo("/bin/bash", ["-o", "pipefail", "-c", script])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.Environment["SOLSTICE_CONFIG"] = configPath;
        info.Environment["S"] = CliCommand;
        using var process = Process.Start(info)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stderr);
    }
}
