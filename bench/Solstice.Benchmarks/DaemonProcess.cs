using System.Diagnostics;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>solsticed on a temporary pool, socket and run directory, as the benchmarks need it.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;

    public DaemonProcess(LoopPool pool)
    {
        RunDir = Path.Combine(pool.Directory, "run");
        Socket = Path.Combine(RunDir, "node.sock");
        string log = Path.Combine(pool.Directory, "solsticed.log");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec setsid {Executable} --config {pool.ConfigPath} --socket {Socket} --run-dir {RunDir} >>{log} 2>&1");
        _process = Process.Start(info)!;
        for (int i = 0; i < 600 && !File.Exists(Socket); i++)
            Thread.Sleep(50);
        if (!File.Exists(Socket))
            throw new InvalidOperationException("solsticed did not start: " + File.ReadAllText(log));
    }

    public string RunDir { get; }

    public string Socket { get; }

    /// <summary>SOLSTICE_BENCH_DAEMON (another build, to compare), else the AOT daemon from artifacts/bin when built, else the JIT build beside the benchmarks.</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("SOLSTICE_BENCH_DAEMON") is { Length: > 0 } other ? other
        : File.Exists(Path.Combine(Repo.Root, "artifacts", "bin", "solsticed"))
            ? Path.Combine(Repo.Root, "artifacts", "bin", "solsticed")
            : $"dotnet {Path.Combine(AppContext.BaseDirectory, "solsticed.dll")}";

    public long RssKiB()
    {
        foreach (string line in File.ReadLines($"/proc/{DaemonPid()}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>How many descriptors the daemon has open.</summary>
    public int DescriptorCount() => Directory.GetFiles($"/proc/{DaemonPid()}/fd").Length;

    /// <summary>User plus system CPU time the daemon has used so far.</summary>
    public TimeSpan CpuTime()
    {
        string stat = File.ReadAllText($"/proc/{DaemonPid()}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15, in clock ticks (100/s)
        long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>The daemon's pid, found by its socket argument (setsid may have forked it away from our child).</summary>
    private int DaemonPid()
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains("solsticed", StringComparison.Ordinal) && cmdline.Contains(Socket + "\0", StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException)
            {
            }
        }
        return _process.Id;
    }

    public void Dispose()
    {
        Process.Start("kill", ["-TERM", DaemonPid().ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        _process.WaitForExit(10000);
        // The daemon's long-lived helpers (console fd holder, statfs agent) outlive it by design.
        foreach (string helper in (string[])["fd-holder", "statfs-agent"])
            Solstice.Linux.ProcessCommandRunner.Instance.Run(["pkill", "-f", $"{helper} {RunDir}/"]);
        var list = Solstice.Linux.ProcessCommandRunner.Instance.Run(["runc", "--root", Path.Combine(RunDir, "runc"), "list", "-q"]);
        foreach (string id in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Solstice.Linux.ProcessCommandRunner.Instance.Run(["runc", "--root", Path.Combine(RunDir, "runc"), "delete", "-f", id]);
        // Zone network namespaces are bind mounts; unmount them so the pool's directory can go.
        string netns = Path.Combine(RunDir, "netns");
        foreach (string file in Directory.Exists(netns) ? Directory.GetFiles(netns) : [])
        {
            Solstice.Linux.Interop.Libc.Umount2(file, 2);
            File.Delete(file);
        }
        Solstice.Linux.ProcessCommandRunner.Instance.Run(["nft", "delete", "table", "bridge", Solstice.Node.NodeNetwork.AntiSpoofTableFor(RunDir)]);
    }
}

public static class Repo
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
                dir = dir.Parent;
            return dir?.FullName ?? Directory.GetCurrentDirectory();
        }
    }
}
