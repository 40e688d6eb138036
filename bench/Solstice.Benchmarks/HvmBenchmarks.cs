using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Solstice.Instances.Hvm;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>
/// HVM boot: time from starting qemu-system-x86_64 to the test guest's first init line on COM1
/// (scripts/images/build-hvm-guest.sh, cached by scripts/deps.sh), TCG. Each round boots, in turn,
/// the guest under a plain QEMU command line (machine, memory, serial socket, the kernel or the
/// disk: nothing else) and under QemuCommandLine.Build's, so the ratio compares like with like
/// under the same load. #13's target: Solstice's line within 1.1x of plain QEMU.
/// </summary>
public static class HvmBenchmarks
{
    private const string Guest = "/var/cache/solstice/images/hvm-guest-v1";
    private const string InitLine = "solstice-guest: init";

    public static void Run(int rounds)
    {
        if (!File.Exists(Path.Combine(Guest, "disk.raw")))
        {
            Console.Error.WriteLine($"hvm: {Guest} holds no guest; run scripts/deps.sh");
            return;
        }
        Console.WriteLine($"== hvm: boot to the first init line, TCG, {rounds} rounds (plain QEMU and Solstice's command line, interleaved)");
        string[] kinds = ["plain -kernel", "solstice -kernel", "plain disk", "solstice disk"];
        var samples = kinds.ToDictionary(k => k, k => new List<double>());
        for (int i = 0; i < rounds; i++)
        {
            foreach (var kind in kinds)
                samples[kind].Add(BootSeconds(kind.StartsWith("solstice", StringComparison.Ordinal), kind.EndsWith("disk", StringComparison.Ordinal)));
        }
        foreach (var kind in kinds)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-20} median {Median(samples[kind]),6:F2} s   [{string.Join(" ", samples[kind].Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))}]"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio solstice/plain: -kernel {Median(samples["solstice -kernel"]) / Median(samples["plain -kernel"]):F2}, disk {Median(samples["solstice disk"]) / Median(samples["plain disk"]):F2}"));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double BootSeconds(bool solstice, bool fromDisk)
    {
        using var dir = new TempDirectory("hvm-bench");
        string disk = dir.Combine("disk0.raw");
        if (fromDisk)
        {
            using var cp = Process.Start("cp", ["--sparse=always", Path.Combine(Guest, "disk.raw"), disk]);
            cp.WaitForExit();
        }
        else
        {
            using var f = File.Create(disk);
            f.SetLength(16 << 20);
        }
        string kernel = $"-kernel {Guest}/vmlinuz -initrd {Guest}/initrd.img -append 'console=ttyS0 quiet'";
        var paths = HvmPaths.In(dir.Path);
        IReadOnlyList<string> argv = solstice
            ? QemuCommandLine.Build(new HvmSpec
            {
                Uuid = Guid.NewGuid(), RamMiB = 256, Paths = paths,
                Disks = [new HvmDisk(disk, Boot: true)], QemuExtraOpts = fromDisk ? null : kernel,
            }).Argv()
            : [QemuCommandLine.Binary, "-machine", "pc", "-accel", "tcg", "-m", "256", "-display", "none",
                "-chardev", $"socket,id=console,path={paths.Console},server=on,wait=off", "-serial", "chardev:console",
                .. fromDisk ? ["-drive", $"file={disk},format=raw,if=virtio"] : Words(kernel)];
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var qemu = Process.Start(start)!;
        try
        {
            using var console = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            while (true)
            {
                try
                {
                    console.Connect(new UnixDomainSocketEndPoint(paths.Console));
                    break;
                }
                catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !qemu.HasExited)
                {
                    Thread.Sleep(5);
                }
            }
            var text = new StringBuilder();
            var buffer = new byte[4096];
            console.ReceiveTimeout = 180_000;
            while (!text.ToString().Contains(InitLine, StringComparison.Ordinal))
            {
                int read = console.Receive(buffer);
                if (read == 0)
                    throw new InvalidOperationException($"QEMU closed the console before '{InitLine}': {qemu.StandardError.ReadToEnd()}");
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill();
            qemu.WaitForExit();
        }
    }

    private static List<string> Words(string text) => QemuWords.TrySplit(text, out var words, out _) ? words : [];
}
