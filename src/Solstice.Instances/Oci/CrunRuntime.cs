using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>
/// crun. It refuses a hybrid cgroup host whose v2 hierarchy holds a controller, so RuntimeDetector picks it
/// only on pure cgroup v2 and on hybrid hosts with an empty unified cgroup.controllers.
/// </summary>
public sealed class CrunRuntime(string binaryPath, string stateRoot, ICommandRunner runner)
    : OciRuntime(binaryPath, stateRoot, runner)
{
    public override OciRuntimeKind Kind => OciRuntimeKind.Crun;

    // "container `x` does not exist" from status lookups; older versions report the missing status file.
    protected override bool IsNotFound(string standardError) =>
        standardError.Contains("does not exist", StringComparison.Ordinal)
        || (standardError.Contains("/status", StringComparison.Ordinal) && standardError.Contains("No such file or directory", StringComparison.Ordinal));
}
