using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>
/// runc (1.1 on Debian 12). Works on cgroup v1, hybrid and v2 hosts with its cgroupfs driver.
/// launchPath may name a sealed in-memory copy (SealedExecutable.LaunchPath): runc 1.1 then skips the
/// copy (or read-only bind mount) of itself it otherwise makes before every `runc init` (create, run,
/// exec), its guard against CVE-2019-5736. See docs/oci.md.
/// </summary>
public sealed class RuncRuntime(string binaryPath, string stateRoot, ICommandRunner runner, string? launchPath = null)
    : OciRuntime(binaryPath, stateRoot, runner, launchPath)
{
    public override OciRuntimeKind Kind => OciRuntimeKind.Runc;

    // "container does not exist" from state/start/kill/delete/exec.
    protected override bool IsNotFound(string standardError) =>
        standardError.Contains("does not exist", StringComparison.Ordinal);
}
