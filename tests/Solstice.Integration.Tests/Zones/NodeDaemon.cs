using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Cli;
using Solstice.Linux;
using Solstice.TestKit;
using Solstice.Core.Protocol;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// A real solsticed on its own loop pool, socket and runtime state directory, with the busybox
/// image installed. Never the node's /zones or a daemon left by the quick start. Dispose stops
/// the daemon, force-deletes every container it ran, and removes the pool, including after a
/// failed test.
/// </summary>
public sealed class NodeDaemon : IDisposable
{
    private Process? _process;

    private readonly Lazy<string?> _aot;

    /// <param name="environment">Extra environment for the daemon (e.g. its test hooks).</param>
    /// <param name="preferAot">Run the NativeAOT solsticed of artifacts/bin when it is fresh (it starts several times faster than the JIT one; the crash harness starts hundreds of daemons).</param>
    public NodeDaemon(string poolSize = "2G", IReadOnlyDictionary<string, string>? environment = null, bool preferAot = false)
    {
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            Environment[name] = value;
        _aot = new(() => preferAot ? FreshAotDaemon() : null);
        Pool = new LoopPool(poolSize);
        RunDir = Path.Combine(Pool.Directory, "run");
        Socket = Path.Combine(RunDir, "node.sock");
        try
        {
            BusyboxImage.Install(Pool.Pool);
            Start();
        }
        catch
        {
            // A fixture whose constructor throws is never disposed: clean up here.
            Dispose();
            throw;
        }
    }

    public LoopPool Pool { get; }

    public string RunDir { get; }

    public string Socket { get; }

    public string Log => Path.Combine(Pool.Directory, "solsticed.log");

    public int Pid => _process?.Id ?? 0;

    /// <summary>True once the daemon process has exited (crashed, killed or stopped).</summary>
    public bool HasExited => _process is null || _process.HasExited;

    public bool WaitForExit(TimeSpan timeout) => _process is null || _process.WaitForExit(timeout);

    /// <summary>Extra environment for the next Start (test hooks, the crash harness's SOLSTICE_CRASH_AT).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Where the daemon keeps a zone's console log (outside the zone's dataset).</summary>
    public string ConsoleLogPath(string uuid) => Path.Combine(Pool.Pool.MountPoint, "config", "logs", uuid, "console.log");

    public void Start()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "solsticed.dll");
        string? aot = _aot.Value;
        var info = new ProcessStartInfo(aot ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardError = false,
        };
        foreach (string arg in (aot is null ? new[] { dll } : []).Concat(["--config", Pool.ConfigPath, "--socket", Socket, "--run-dir", RunDir]))
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in Environment)
            info.Environment[key] = value;
        // setsid keeps the daemon out of the test host's process group and session.
        var wrapped = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false };
        wrapped.ArgumentList.Add("/bin/sh");
        wrapped.ArgumentList.Add("-c");
        wrapped.ArgumentList.Add("exec \"$@\" >>" + Log + " 2>&1");
        wrapped.ArgumentList.Add("sh");
        wrapped.ArgumentList.Add(info.FileName);
        foreach (string arg in info.ArgumentList)
            wrapped.ArgumentList.Add(arg);
        foreach (var (key, value) in info.Environment)
            wrapped.Environment[key] = value;
        _process = Process.Start(wrapped)!;
        // Recovery after a kill can take a while on a loaded 2-core machine (runc per zone).
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(Socket) && TryPing())
                return;
            if (_process.HasExited)
                throw new InvalidOperationException($"solsticed exited {_process.ExitCode}: {File.ReadAllText(Log)}");
            Thread.Sleep(50);
        }
        string where = WhereItWaits(_process.Id);
        _process.Kill(entireProcessTree: true);
        throw new TimeoutException($"solsticed did not come up: {File.ReadAllText(Log)}\n{where}");
    }

    /// <summary>What a daemon that does not come up is waiting on: its threads' kernel wait channels and its children's command lines.</summary>
    public static string WhereItWaits(int wrapperPid)
    {
        var lines = new List<string>();
        void Describe(int pid, int depth)
        {
            try
            {
                string cmd = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
                var waits = Directory.EnumerateDirectories($"/proc/{pid}/task")
                    .Select(t => $"{File.ReadAllText(Path.Combine(t, "comm")).Trim()}:{File.ReadAllText(Path.Combine(t, "wchan")).Trim()}")
                    .GroupBy(w => w).Select(g => g.Count() > 1 ? $"{g.Key} x{g.Count()}" : g.Key);
                lines.Add($"{new string(' ', depth * 2)}{pid} {cmd} [{string.Join(", ", waits)}]");
                foreach (string child in Directory.EnumerateFiles($"/proc/{pid}/task", "children", SearchOption.AllDirectories)
                    .SelectMany(f => File.ReadAllText(f).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct())
                    Describe(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture), depth + 1);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        Describe(wrapperPid, 0);
        return "processes:\n" + string.Join("\n", lines);
    }

    /// <summary>
    /// artifacts/bin/solsticed when it was built after the last change to any source under src/
    /// (scripts/build.sh, which scripts/test.sh runs first), never a stale binary.
    /// </summary>
    private static string? FreshAotDaemon()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "artifacts", "bin", "solsticed");
            string src = Path.Combine(dir.FullName, "src");
            if (!File.Exists(candidate) || !Directory.Exists(src))
                continue;
            var newestSource = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
                .Max(File.GetLastWriteTimeUtc);
            return File.GetLastWriteTimeUtc(candidate) >= newestSource ? candidate : null;
        }
        return null;
    }

    /// <summary>What this daemon's threads and children are waiting on now (for a diagnosis when a call hangs).</summary>
    public string WhereItWaits() => _process is { HasExited: false } ? WhereItWaits(_process.Id) : "solsticed is not running";

    /// <summary>Whether this daemon runs the NativeAOT binary.</summary>
    public bool IsAot => _aot.Value is not null;

    private bool TryPing()
    {
        try
        {
            Cli.Node.NodeClient.CallOnce(NodeOps.Ping, null, Socket);
            return true;
        }
        catch (Core.SolsticeException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL, as a crash would.</summary>
    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
        File.Delete(Socket);
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            ProcessCommandRunner.Instance.Run(["kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!_process.WaitForExit(10000))
                _process.Kill();
        }
    }

    public CliContext Context(TextWriter output, TextWriter error, Func<Stream>? stdin = null, Func<Stream>? stdout = null) =>
        new(output, error, stdin ?? (() => Stream.Null), stdout ?? (() => Stream.Null), Pool.ConfigPath, Socket);

    /// <summary>Runs a tool in-process (vmadm, imgadm...) against this daemon.</summary>
    public CliOutcome Run(string tool, params string[] args) => RunWithInput(tool, "", args);

    public CliOutcome RunWithInput(string tool, string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = Context(output, error, () => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stdin)));
        int code = Program.Run(tool, args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), []);
    }

    /// <summary>vmadm create from a JSON payload; returns the new uuid.</summary>
    public string Create(JsonObject payload)
    {
        payload["image_uuid"] ??= BusyboxImage.Uuid;
        var result = RunWithInput("vmadm", payload.ToJsonString(), "create");
        Assert.True(result.ExitCode == 0, $"create failed: {result.Error}\n{File.ReadAllText(Log)}");
        return result.Error.Trim().Split(' ')[^1];
    }

    public JsonObject Get(string uuid)
    {
        var result = Run("vmadm", "get", uuid);
        Assert.True(result.ExitCode == 0, result.Error);
        return (JsonObject)JsonNode.Parse(result.Out)!;
    }

    /// <summary>
    /// Runs a command in a zone through the real zlogin binary; returns exit code and output. zlogin
    /// joins its arguments into one shell command line, as SmartOS's does; several arguments are
    /// quoted here so each reaches the command as one word, one argument is a shell command line.
    /// </summary>
    public (int ExitCode, string Output) Zlogin(string uuid, params string[] command)
    {
        if (command.Length > 1)
            command = [string.Join(' ', command.Select(word => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'"))];
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "solstice.dll"));
        info.ArgumentList.Add("zlogin");
        info.ArgumentList.Add(uuid);
        foreach (string c in command)
            info.ArgumentList.Add(c);
        info.Environment["SOLSTICE_SOCKET"] = Socket;
        info.Environment["SOLSTICE_CONFIG"] = Pool.ConfigPath;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    public string RuncRoot => Path.Combine(RunDir, "runc");

    /// <summary>Kills processes started for this daemon (the console fd holder), found by their run-dir argument.</summary>
    public static void KillHelpers(string runDir)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(runDir + "/", StringComparison.Ordinal))
                    Process.GetProcessById(pid).Kill();
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
            }
        }
    }

    public IReadOnlyList<string> RuncContainers()
    {
        var result = ProcessCommandRunner.Instance.Run(["runc", "--root", RuncRoot, "list", "-q"]);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public void Dispose()
    {
        Stop();
        KillHelpers(RunDir);
        string netns = Path.Combine(RunDir, "netns");
        foreach (string file in Directory.Exists(netns) ? Directory.GetFiles(netns) : [])
        {
            Linux.Interop.Libc.Umount2(file, 2);
            File.Delete(file);
        }
        ProcessCommandRunner.Instance.Run(["nft", "delete", "table", "bridge", Node.NodeNetwork.AntiSpoofTableFor(RunDir)]);
        foreach (string id in RuncContainers())
            ProcessCommandRunner.Instance.Run(["runc", "--root", RuncRoot, "delete", "-f", id]);
        foreach (string dir in Directory.Exists("/sys/fs/cgroup/pids/solstice") ? Directory.GetDirectories("/sys/fs/cgroup/pids/solstice") : [])
        {
            if (!Directory.Exists(Path.Combine(Pool.Pool.MountPoint, Path.GetFileName(dir))))
                continue;
            foreach (string controller in Directory.GetDirectories("/sys/fs/cgroup"))
            {
                string path = Path.Combine(controller, "solstice", Path.GetFileName(dir));
                if (Directory.Exists(path))
                    try { Directory.Delete(path); } catch (IOException) { }
            }
        }
        Pool.Dispose();
    }
}
