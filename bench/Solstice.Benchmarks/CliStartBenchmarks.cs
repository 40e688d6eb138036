using System.Diagnostics;
using System.Globalization;

namespace Solstice.Benchmarks;

/// <summary>
/// Start-up of every CLI (`bench/run.sh cli-start [runs]`): each tool's help (or usage) against a
/// NativeAOT hello world (artifacts/bench/hello-aot), interleaved run by run so the machine's
/// drift hits both alike; prints medians and the ratio (target ≤ 1.5x).
/// </summary>
public static class CliStartBenchmarks
{
    private static readonly string[][] s_tools =
    [
        ["vmadm", "help"], ["imgadm", "help"], ["fwadm", "help"], ["nictagadm", "help"], ["zlogin"], ["solstice", "help"], ["mdata-get"],
    ];

    public static void Run(int runs)
    {
        string bin = Path.Combine(Repo.Root, "artifacts", "bin");
        string hello = Path.Combine(Repo.Root, "artifacts", "bench", "hello-aot");
        if (!File.Exists(hello) || !File.Exists(Path.Combine(bin, "solstice")))
        {
            Console.Error.WriteLine("cli-start needs artifacts/bin (scripts/build.sh) and artifacts/bench/hello-aot (bench/run.sh builds it)");
            return;
        }
        foreach (string[] tool in s_tools)
        {
            string path = Path.Combine(bin, tool[0]);
            var ours = new Samples($"{string.Join(' ', tool)} (AOT)");
            var reference = new Samples("hello world (AOT)");
            for (int i = 0; i < 3; i++)
            {
                Spawn(path, tool[1..]);
                Spawn(hello, []);
            }
            for (int i = 0; i < runs; i++)
            {
                ours.Time(() => Spawn(path, tool[1..]));
                reference.Time(() => Spawn(hello, []));
            }
            Console.WriteLine(ours);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  against hello world p50 {reference.Percentile(50):F2} ms: {ours.Percentile(50) / reference.Percentile(50):F2}x (target <= 1.5x)"));
        }
    }

    private static void Spawn(string path, string[] args)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = error.Result;
    }
}
