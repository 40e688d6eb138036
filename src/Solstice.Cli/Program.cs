using Solstice.Cli.Commands;
using Solstice.Cli.Commands.Imgadm;

namespace Solstice.Cli;

/// <summary>
/// The full multi-call binary, `solstice`: every tool. It dispatches on the name it was started
/// as (argv[0], so imgadm is a symlink to it), or on the first argument when started as solstice
/// ("solstice vmadm list"). The daily node tools (vmadm, zlogin, fwadm, nictagadm) are also
/// published without the image stack as `solstice-vmtools` (src/Solstice.Cli.VmTools), which
/// starts in about half the instructions; both run the same commands through <see cref="ToolRunner"/>.
/// Only Main turns outcomes into exit codes.
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
        if (invokedAs is "solstice" or "solstice.dll" && args.Count > 0 && TryGetTool(args[0], out _))
        {
            invokedAs = args[0];
            args = args.Skip(1).ToList();
        }
        if (!TryGetTool(invokedAs, out var tool))
            tool = SolsticeTool.Run;
        return ToolRunner.Run(invokedAs, tool, args, context);
    }

    /// <summary>A sentence for an exception no command translated, by its type rather than the runtime's text alone.</summary>
    public static string Describe(Exception ex) => ToolRunner.Describe(ex);

    private static bool TryGetTool(string name, out Func<IReadOnlyList<string>, CliContext, int> tool)
    {
        switch (name)
        {
            case "solstice":
                tool = SolsticeTool.Run;
                return true;
            case "imgadm":
                tool = ImgadmTool.Run;
                return true;
            default:
                return NodeTools.TryGet(name, out tool) || Commands.Observe.ObserveTools.TryGet(name, out tool);
        }
    }
}
