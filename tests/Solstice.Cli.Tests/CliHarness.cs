using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>Runs the multi-call CLI in-process against a given node config.</summary>
public static class CliHarness
{
    public static CliOutcome Run(string configPath, string tool, params string[] args) => Run(configPath, tool, [], args);

    public static CliOutcome Run(string configPath, string tool, byte[] stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var binary = new MemoryStream();
        var context = new CliContext(output, error, () => new MemoryStream(stdin), () => new NonClosingStream(binary), configPath);
        int code = Program.Run(tool, args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), binary.ToArray());
    }
}
