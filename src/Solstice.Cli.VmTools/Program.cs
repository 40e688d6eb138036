using Solstice.Core;

namespace Solstice.Cli.VmTools;

/// <summary>
/// solstice-vmtools: the daily node tools (vmadm, zlogin, fwadm, nictagadm; symlinks to it) without
/// the image stack, so they start about as fast as a NativeAOT hello world. It dispatches on
/// argv[0], or on the first argument when run under its own name; the commands, messages and exit
/// codes are Solstice.Cli's, run through the same <see cref="ToolRunner"/>.
/// </summary>
public static class Program
{
    public const string Usage = "usage: solstice-vmtools vmadm|zlogin|fwadm|nictagadm [args] (or run it through those names)";

    public static int Main(string[] args)
    {
        string invokedAs = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
        IReadOnlyList<string> rest = args;
        if (!NodeTools.TryGet(invokedAs, out var tool))
        {
            if (args.Length == 0 || !NodeTools.TryGet(args[0], out tool))
            {
                Console.Error.WriteLine(Usage);
                return ExitCodes.Usage;
            }
            invokedAs = args[0];
            rest = args[1..];
        }
        return ToolRunner.Run(invokedAs, tool, rest, CliContext.Console);
    }
}
