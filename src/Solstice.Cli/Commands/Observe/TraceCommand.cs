using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Solstice.Core;
using Solstice.Observability;
using Solstice.Observability.Trace;

namespace Solstice.Cli.Commands.Observe;

/// <summary>
/// `solstice trace`: bpftrace with zones. The program may use <c>zonename</c>; -z restricts every
/// probe to the named zones; -s runs a ready script. Probes this kernel cannot give (kprobes here,
/// a tracepoint it lacks) are refused with one sentence and exit 2 before bpftrace starts.
/// </summary>
public static partial class TraceCommand
{
    public const string Usage = """
        usage: solstice trace [-z zone]... (-e PROGRAM | -f FILE | -s SCRIPT) [-D]
               solstice trace -l        list the ready scripts
          -z zone   trace only this zone (alias, uuid or global); repeat for several
          -D        print the program given to bpftrace and exit
        """;

    public const string TracefsPath = "/sys/kernel/tracing";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "lDh", "efsz");
        if (a.Has('h'))
        {
            context.Out.Write(Usage);
            return 0;
        }
        if (a.Has('l'))
        {
            foreach (var (name, (description, _)) in TraceScripts.All)
                context.Out.WriteLine($"{name,-12} {description}");
            return 0;
        }
        int given = (a.Has('e') ? 1 : 0) + (a.Has('f') ? 1 : 0) + (a.Has('s') ? 1 : 0);
        if (given != 1 || a.Positional.Count > 0)
            throw new UsageException("give exactly one of -e PROGRAM, -f FILE or -s SCRIPT\n" + Usage);
        string program = a.Value('e') ?? (a.Value('f') is { } file ? ReadFile(file)
            : TraceScripts.All.TryGetValue(a.Value('s')!, out var script) ? script.Program
            : throw new UsageException($"unknown script '{a.Value('s')}'; the scripts are: {string.Join(", ", TraceScripts.All.Keys)}"));

        var directory = new DaemonZoneDirectory(context.SocketPath);
        var layout = ObserveTools.Sampler(context, directory).Layout;
        var zones = Zones(layout, directory);
        HashSet<int>? only = null;
        if (a.Values('z') is { Count: > 0 } wanted)
        {
            only = [];
            foreach (string w in wanted)
            {
                if (w == "global")
                {
                    only.Add(0);
                    continue;
                }
                var match = zones.Where(z => z.Name == w || z.Uuid == w).ToList();
                if (match.Count == 0)
                    throw new SolsticeException(ErrorCode.NotFound, $"solstice trace: {w}: no such running zone");
                only.UnionWith(match.Select(m => m.Zone.Index));
            }
        }
        string full = TraceProgram.Build(program, zones.Select(z => z.Zone).ToList(), only);
        if (a.Has('D'))
        {
            context.Out.Write(full);
            return 0;
        }
        EnsureTracefs();
        if (UnavailableProbe(full) is { } problem)
        {
            context.Error.WriteLine($"solstice trace: {problem}");
            return ExitCodes.Usage;
        }
        return RunBpftrace(full, context);
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SolsticeException(ErrorCode.NotFound, $"solstice trace: cannot read {path}: {ex.Message}");
        }
    }

    private sealed record NamedZone(string Uuid, string Name, TraceZone Zone);

    /// <summary>Every running zone with the thread ids of its processes now (the fork tracepoint follows the rest).</summary>
    private static List<NamedZone> Zones(CgroupLayout layout, IZoneDirectory directory)
    {
        var names = directory.Zones();
        var result = new List<NamedZone>();
        int index = 0;
        foreach (string uuid in layout.ZoneUuids())
        {
            index++;
            var tids = new List<int>();
            string dir = layout.Directory("memory", CgroupLayout.ZoneRelative(uuid));
            IEnumerable<string> cgroups;
            try
            {
                cgroups = Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // stopped meanwhile
            }
            foreach (string cg in cgroups)
                // "tasks" (v1) and cgroup.threads (v2) list every thread; cgroup.procs only thread-group leaders.
                if ((CgroupFiles.TryRead(Path.Combine(cg, "tasks")) ?? CgroupFiles.TryRead(Path.Combine(cg, "cgroup.threads"))) is { } text)
                    tids.AddRange(CgroupFiles.Pids(text));
            string name = names.TryGetValue(uuid, out var info) && !string.IsNullOrEmpty(info.Alias) ? info.Alias : uuid;
            result.Add(new NamedZone(uuid, name, new TraceZone(index, name, tids)));
        }
        return result;
    }

    /// <summary>bpftrace needs tracefs for tracepoints; mount it where the kernel documents it when it is not there.</summary>
    private static void EnsureTracefs()
    {
        if (Directory.Exists(Path.Combine(TracefsPath, "events")))
            return;
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tracefs", "nodev", TracefsPath]) { RedirectStandardError = true });
            mount?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no mount(8): bpftrace's own message follows if tracepoints are then missing
        }
    }

    /// <summary>The first probe of the program this kernel cannot attach, as a sentence; null when all look available.</summary>
    public static string? UnavailableProbe(string program, string tracefs = TracefsPath)
    {
        if (KprobePattern().IsMatch(program) && !File.Exists(Path.Combine(tracefs, "kprobe_events")))
            return "this kernel has no kprobes (CONFIG_KPROBES is off); use tracepoints (bpftrace -l 'tracepoint:*' lists them)";
        foreach (Match m in TracepointPattern().Matches(program))
        {
            string category = m.Groups[1].Value, name = m.Groups[2].Value;
            if (category.Contains('*') || name.Contains('*'))
                continue;
            if (Directory.Exists(Path.Combine(tracefs, "events")) && !Directory.Exists(Path.Combine(tracefs, "events", category, name)))
                return $"this kernel has no tracepoint {category}:{name}";
        }
        return null;
    }

    [GeneratedRegex(@"(?<![\w@$])k(?:ret)?probe:")]
    private static partial Regex KprobePattern();

    [GeneratedRegex(@"(?<![\w@$])(?:tracepoint|t):([\w*]+):([\w*]+)")]
    private static partial Regex TracepointPattern();

    private static int RunBpftrace(string program, CliContext context)
    {
        string file = Path.Combine(Path.GetTempPath(), $"solstice-trace-{Environment.ProcessId}.bt");
        File.WriteAllText(file, program);
        try
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("SOLSTICE_BPFTRACE") ?? "bpftrace")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(file);
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                context.Error.WriteLine("solstice trace: bpftrace is not installed (apt-get install bpftrace)");
                return ExitCodes.Error;
            }
            // Ctrl-C goes to bpftrace too (same process group); it prints its maps and exits, and so do we.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
            var errors = new List<string>();
            var stderr = Task.Run(() =>
            {
                while (process.StandardError.ReadLine() is { } line)
                {
                    if (line.Contains("RLIMIT_MEMLOCK", StringComparison.Ordinal))
                        continue; // bpftrace's warning when it cannot raise a limit the kernel no longer uses (memcg-accounted BPF memory)
                    lock (errors)
                        errors.Add(line);
                }
            });
            // Our own maps are printed at exit like the program's: leave them out, with the blank
            // lines bpftrace puts around each map.
            int blanks = 0;
            bool afterOurs = false;
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.Length == 0)
                {
                    blanks++;
                    continue;
                }
                if (line.StartsWith("@__", StringComparison.Ordinal))
                {
                    blanks = 0;
                    afterOurs = true;
                    continue;
                }
                for (int i = afterOurs ? 1 : 0; i < blanks; i++)
                    context.Out.WriteLine();
                blanks = 0;
                afterOurs = false;
                context.Out.WriteLine(line);
                context.Out.Flush();
            }
            process.WaitForExit();
            stderr.Wait();
            if (process.ExitCode != 0)
            {
                string reason = errors.FirstOrDefault(e => e.StartsWith("ERROR:", StringComparison.Ordinal)) ?? errors.FirstOrDefault() ?? $"exit {process.ExitCode}";
                context.Error.WriteLine($"solstice trace: bpftrace failed: {reason.Replace("ERROR: ", "")}");
                return ExitCodes.Error;
            }
            foreach (string e in errors.Where(e => !e.StartsWith("Attaching", StringComparison.Ordinal)))
                context.Error.WriteLine(e);
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
