using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Network.Links;

/// <summary>
/// Runs iproute2 and nft in the node's network namespace (the current one, or the one at
/// HostNetnsPath, which tests use to keep bridges off the host) or in a zone's, entered with
/// nsenter --net=&lt;path&gt; (one spawn: nsenter execs the tool).
/// </summary>
public sealed class HostCommands(ICommandRunner runner, string? hostNetnsPath = null)
{
    public ICommandRunner Runner => runner;

    public string? HostNetnsPath => hostNetnsPath;

    /// <summary>Runs argv in the host namespace.</summary>
    public CommandResult Host(IReadOnlyList<string> argv, string? input = null) =>
        runner.Run(hostNetnsPath is null ? argv : ["nsenter", "--net=" + hostNetnsPath, .. argv], input);

    /// <summary>Runs argv inside the namespace at netnsPath.</summary>
    public CommandResult InNamespace(string netnsPath, IReadOnlyList<string> argv, string? input = null) =>
        runner.Run(["nsenter", "--net=" + netnsPath, .. argv], input);

    /// <summary>Runs an `ip -b -` batch in the host namespace; throws BackendFailed on failure.</summary>
    public void HostBatch(IEnumerable<string> lines, string what) => Check(Host(["ip", "-b", "-"], Join(lines)), what);

    public void NamespaceBatch(string netnsPath, IEnumerable<string> lines, string what) =>
        Check(InNamespace(netnsPath, ["ip", "-b", "-"], Join(lines)), what);

    public static void Check(CommandResult result, string what)
    {
        if (!result.Succeeded)
            throw new SolsticeException(ErrorCode.BackendFailed, $"{what}: {result.StandardError.Trim()}");
    }

    private static string Join(IEnumerable<string> lines) => string.Join('\n', lines) + "\n";
}
