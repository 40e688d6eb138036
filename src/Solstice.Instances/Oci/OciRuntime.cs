using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>
/// The command-line dialect runc and crun share (runc's, which crun follows); subclasses hold the few
/// differences. Every argv starts with the binary and `--root &lt;StateRoot&gt;`.
/// </summary>
public abstract partial class OciRuntime : IOciRuntime
{
    /// <summary>Log file of `create` inside the bundle when the caller names none.</summary>
    public const string DefaultLogFile = "console.log";

    private readonly ICommandRunner _runner;

    protected OciRuntime(string binaryPath, string stateRoot, ICommandRunner runner, string? launchPath = null)
    {
        if (!Path.IsPathFullyQualified(binaryPath))
            throw new ArgumentException($"runtime path '{binaryPath}' is not absolute", nameof(binaryPath));
        if (!Path.IsPathFullyQualified(stateRoot))
            throw new ArgumentException($"state root '{stateRoot}' is not absolute", nameof(stateRoot));
        BinaryPath = binaryPath;
        LaunchPath = launchPath ?? binaryPath;
        StateRoot = stateRoot;
        _runner = runner;
    }

    public abstract OciRuntimeKind Kind { get; }

    public string BinaryPath { get; }

    public string StateRoot { get; }

    /// <summary>
    /// What the daemon executes for create, run and exec: BinaryPath, or /proc/self/fd/N of a sealed
    /// in-memory copy (SealedExecutable) that only this process can run. Other verbs, and argv handed
    /// out (ExecCommand), name BinaryPath.
    /// </summary>
    public string LaunchPath { get; }

    protected string Name => Path.GetFileName(BinaryPath);

    /// <summary>Solstice's state directory for a runtime kind: /run/solstice/runc or /run/solstice/crun.</summary>
    public static string DefaultStateRoot(OciRuntimeKind kind) =>
        kind == OciRuntimeKind.Crun ? "/run/solstice/crun" : "/run/solstice/runc";

    /// <param name="sealedCopy">A sealed in-memory copy of choice.BinaryPath to run runc from (see RuncRuntime).</param>
    public static IOciRuntime Create(OciRuntimeChoice choice, ICommandRunner runner, string? stateRoot = null, SealedExecutable? sealedCopy = null) => choice.Kind switch
    {
        OciRuntimeKind.Runc => new RuncRuntime(choice.BinaryPath, stateRoot ?? DefaultStateRoot(choice.Kind), runner, sealedCopy?.LaunchPath),
        OciRuntimeKind.Crun => new CrunRuntime(choice.BinaryPath, stateRoot ?? DefaultStateRoot(choice.Kind), runner),
        _ => throw new ArgumentOutOfRangeException(nameof(choice)),
    };

    public void Create(string id, string bundleDir, string pidFile, string? consoleSocket = null, string? logFile = null)
    {
        CheckId(id);
        var argv = InitCommand("create", "--bundle", bundleDir, "--pid-file", pidFile);
        if (consoleSocket is not null)
            argv.AddRange(["--console-socket", consoleSocket]);
        argv.Add(id);
        // The container's init inherits the runtime's stdio when there is no terminal; captured pipes would
        // never reach end-of-file while it runs, so create writes to a log file and we wait only for exit.
        var result = _runner.RunLogged(argv, logFile ?? Path.Combine(bundleDir, DefaultLogFile));
        Check(result, "create", id);
    }

    public void Start(string id) => Run("start", id, Command("start", Checked(id)));

    public void RunDetached(string id, string bundleDir, string pidFile, string? logFile = null, string? consoleSocket = null)
    {
        CheckId(id);
        var argv = InitCommand("run", "--detach", "--bundle", bundleDir, "--pid-file", pidFile);
        if (consoleSocket is not null)
            argv.AddRange(["--console-socket", consoleSocket]);
        argv.Add(id);
        var result = _runner.RunLogged(argv, logFile ?? Path.Combine(bundleDir, DefaultLogFile));
        Check(result, "run", id);
    }

    public OciState State(string id)
    {
        var result = Run("state", id, Command("state", Checked(id)));
        try
        {
            return OciState.Parse(JsonNode.Parse(result.StandardOutput) ?? throw new FormatException("empty document"));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"{Name} state '{id}' printed unreadable JSON: {ex.Message}", ex);
        }
    }

    public void Kill(string id, int signal, bool all = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(signal);
        var argv = Command("kill");
        if (all)
            argv.Add("--all");
        argv.AddRange([Checked(id), signal.ToString(CultureInfo.InvariantCulture)]);
        Run("kill", id, argv);
    }

    public void Delete(string id, bool force = false)
    {
        var argv = Command("delete");
        if (force)
            argv.Add("--force");
        argv.Add(Checked(id));
        Run("delete", id, argv);
    }

    public void Update(string id, JsonObject resources)
    {
        var argv = Command("update", "--resources", "-", Checked(id));
        var result = _runner.Run(argv, resources.ToJsonString());
        Check(result, "update", id);
    }

    public IReadOnlyList<string> ExecCommand(string id, IReadOnlyList<string> argv, bool tty = false,
        IReadOnlyDictionary<string, string>? environment = null, string? cwd = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(argv.Count);
        var command = new List<string> { BinaryPath, "--root", StateRoot, "exec" };
        if (tty)
            command.Add("--tty");
        if (cwd is not null)
            command.AddRange(["--cwd", cwd]);
        foreach (var (key, value) in (environment ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal))
            command.AddRange(["--env", $"{key}={value}"]);
        command.Add(Checked(id));
        command.AddRange(argv);
        return command;
    }

    public CommandResult Exec(string id, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = ExecCommand(id, argv, tty: false, environment).ToList();
        command[0] = LaunchPath;
        var result = _runner.Run(command);
        if (!result.Succeeded && IsNotFound(result.StandardError))
            throw Failure(result, "exec", id);
        return result;
    }

    public IReadOnlyList<OciState> List()
    {
        var result = Run("list", null, Command("list", "--format", "json"));
        try
        {
            // runc prints "null" for no containers, crun "[]".
            if (JsonNode.Parse(result.StandardOutput) is not JsonArray array)
                return [];
            return array.Where(n => n is not null).Select(n => OciState.Parse(n!)).ToList();
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"{Name} list printed unreadable JSON: {ex.Message}", ex);
        }
    }

    /// <summary>True when the runtime's error output says the container doesn't exist.</summary>
    protected abstract bool IsNotFound(string standardError);

    private List<string> Command(params string[] args) => [BinaryPath, "--root", StateRoot, .. args];

    // Verbs that start `runc init`, the only ones the sealed copy saves work for; list, state, kill and
    // delete measured no faster (if anything slower) from it, so they run from the file (docs/oci.md).
    private List<string> InitCommand(params string[] args) => [LaunchPath, "--root", StateRoot, .. args];

    private CommandResult Run(string verb, string? id, List<string> argv)
    {
        var result = _runner.Run(argv);
        Check(result, verb, id);
        return result;
    }

    private void Check(CommandResult result, string verb, string? id)
    {
        if (!result.Succeeded)
            throw Failure(result, verb, id);
    }

    private SolsticeException Failure(CommandResult result, string verb, string? id)
    {
        string what = id is null ? $"{Name} {verb}" : $"{Name} {verb} '{id}'";
        string message = result.StandardError.Trim();
        if (message.Length == 0)
            message = result.StandardOutput.Trim();
        return new SolsticeException(IsNotFound(result.StandardError) ? ErrorCode.NotFound : ErrorCode.BackendFailed,
            $"{what} failed (exit {result.ExitCode}): {message}");
    }

    private static string Checked(string id)
    {
        CheckId(id);
        return id;
    }

    /// <summary>runc's container id rule; also keeps an id from being read as an option.</summary>
    private static void CheckId(string id)
    {
        if (id.Length > 1024 || !IdPattern().IsMatch(id))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{id}' is not a valid container id");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.+-]*$")]
    private static partial Regex IdPattern();
}
