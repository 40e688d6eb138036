using System.Text.Json.Nodes;
using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>
/// An OCI runtime binary (runc, crun) driven through its command line, with Solstice's own state
/// directory (--root) so other users of the same runtime on the host never see our containers.
/// Failures throw SolsticeException: NotFound when the container doesn't exist, BackendFailed otherwise,
/// with the runtime's message.
/// </summary>
public interface IOciRuntime
{
    OciRuntimeKind Kind { get; }

    string BinaryPath { get; }

    /// <summary>The runtime's --root state directory.</summary>
    string StateRoot { get; }

    /// <summary>
    /// `create`: sets up the container from bundleDir/config.json and leaves init waiting for Start.
    /// Without a terminal, init's stdout and stderr are appended to logFile (default bundleDir/console.log),
    /// stdin is /dev/null. With one, consoleSocket must be a listening ConsoleSocket's path: the runtime
    /// sends the pty master there.
    /// </summary>
    void Create(string id, string bundleDir, string pidFile, string? consoleSocket = null, string? logFile = null);

    /// <summary>`start`: runs the user process of a created container.</summary>
    void Start(string id);

    /// <summary>
    /// `run --detach`: create and start in one runtime invocation (one process spawn fewer than
    /// Create then Start, which is most of a zone boot's cost). Stdio as for Create without a terminal.
    /// </summary>
    void RunDetached(string id, string bundleDir, string pidFile, string? logFile = null, string? consoleSocket = null);

    OciState State(string id);

    /// <summary>`kill`: sends a signal (by number, signal(7)) to init, or with all to every process of the container.</summary>
    void Kill(string id, int signal, bool all = false);

    /// <summary>`delete`: removes a stopped container's state and cgroups; force kills a running one first.</summary>
    void Delete(string id, bool force = false);

    /// <summary>`update -r -`: applies linux.resources (see RuntimeSpecBuilder.BuildResources) to a live container.</summary>
    void Update(string id, JsonObject resources);

    /// <summary>The full argv of `exec`, for callers that run it with their own stdio (zlogin).</summary>
    IReadOnlyList<string> ExecCommand(string id, IReadOnlyList<string> argv, bool tty = false,
        IReadOnlyDictionary<string, string>? environment = null, string? cwd = null);

    /// <summary>
    /// Runs argv inside the container without a tty and returns its exit code and output. Only for
    /// processes that end: the call waits until every holder of the output pipes has closed them.
    /// </summary>
    CommandResult Exec(string id, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null);

    /// <summary>Every container in StateRoot.</summary>
    IReadOnlyList<OciState> List();
}
