using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>runc (1.1 on Debian 12). Works on cgroup v1, hybrid and v2 hosts with its cgroupfs driver.</summary>
public sealed class RuncRuntime(string binaryPath, string stateRoot, ICommandRunner runner)
    : OciRuntime(binaryPath, stateRoot, runner)
{
    public override OciRuntimeKind Kind => OciRuntimeKind.Runc;

    // "container does not exist" from state/start/kill/delete/exec.
    protected override bool IsNotFound(string standardError) =>
        standardError.Contains("does not exist", StringComparison.Ordinal);
}
