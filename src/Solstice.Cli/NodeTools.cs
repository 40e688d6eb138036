using Solstice.Cli.Commands;
using Solstice.Cli.Commands.Vmadm;

namespace Solstice.Cli;

/// <summary>
/// The daily tools that only talk to solsticed: vmadm, zlogin, fwadm and nictagadm. Nothing here
/// reaches the image stack (HTTP, TLS, tar, compression), so a binary whose entry point names only
/// this table (solstice-vmtools) is trimmed to a third of the full one and starts faster.
/// </summary>
public static class NodeTools
{
    /// <summary>The tool's names, in the order usage lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["vmadm", "zlogin", "fwadm", "nictagadm"];

    public static bool TryGet(string name, out Func<IReadOnlyList<string>, CliContext, int> tool)
    {
        tool = name switch
        {
            "vmadm" => VmadmTool.Run,
            "zlogin" => ZloginTool.Run,
            "fwadm" => RelayTool.Fwadm,
            "nictagadm" => RelayTool.Nictagadm,
            _ => null!,
        };
        return tool is not null;
    }
}
