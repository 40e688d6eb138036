using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.TestKit;
using Solstice.Core.Protocol;

namespace Solstice.Benchmarks;

/// <summary>
/// Metadata GET round trips from inside a running joyent zone, over the zone's own
/// /.zonecontrol/metadata.sock, with the daemon's CPU use; compared in the same run with raw line
/// round trips to a trivial echo peer on a socket in the same directory (the kernel's floor).
/// The client is mdata-probe (bench/Solstice.MdataProbe, NativeAOT), which uses the same client
/// code as the mdata-* tools and runs in the zone through zlogin.
/// </summary>
public static class MetadataBenchmarks
{
    private const string Key = "bench-key";

    public static void Run(int requests)
    {
        string probe = Path.Combine(Repo.Root, "artifacts", "bench", "mdata-probe");
        string zlogin = Path.Combine(Repo.Root, "artifacts", "bin", "zlogin");
        if (!File.Exists(probe) || !File.Exists(zlogin))
        {
            Console.WriteLine("metadata: skipped (run scripts/build.sh and bench/run.sh, which publishes artifacts/bench/mdata-probe)");
            return;
        }
        using var loop = new LoopPool("4G");
        BusyboxImage.Install(loop.Pool);
        using var daemon = new DaemonProcess(loop);
        var payload = new JsonObject
        {
            ["brand"] = "joyent",
            ["alias"] = "mdata-bench",
            ["image_uuid"] = BusyboxImage.Uuid,
            ["max_physical_memory"] = 128,
            ["customer_metadata"] = new JsonObject { [Key] = new string('v', 100) },
        };
        var vm = NodeClient.CallOnce(NodeOps.VmCreate, new JsonObject { ["payload"] = payload }, daemon.Socket)!;
        string uuid = vm["uuid"]!.GetValue<string>();
        string zoneRoot = Path.Combine(vm["zonepath"]!.GetValue<string>(), "root");
        Directory.CreateDirectory(Path.Combine(zoneRoot, "opt"));
        File.Copy(probe, Path.Combine(zoneRoot, "opt", "mdata-probe"), overwrite: true);

        using var echo = new EchoPeer(Path.Combine(daemon.RunDir, "zonecontrol", uuid, "echo.sock"));
        int latencyRequests = Math.Max(1000, requests * 1000);
        Console.WriteLine($"metadata GET from inside a zone ({latencyRequests} sequential requests, value 100 bytes, V2):");
        Report("  GET, one connection", InZone(zlogin, daemon, uuid, $"latency /.zonecontrol/metadata.sock {Key} {latencyRequests}"));
        Report("  raw line round trip (echo peer)", InZone(zlogin, daemon, uuid, $"echo /.zonecontrol/echo.sock {latencyRequests}"));
        foreach (int connections in new[] { 1, 2, 4 })
        {
            var cpuBefore = daemon.CpuTime();
            string figures = InZone(zlogin, daemon, uuid, $"throughput /.zonecontrol/metadata.sock {Key} 5 {connections}");
            var cpu = daemon.CpuTime() - cpuBefore;
            double seconds = double.Parse(Field(figures, "seconds"), CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  GET throughput, {connections} connection(s): {Field(figures, "rps"),8} req/s; daemon CPU {cpu.TotalSeconds / seconds * 100:F0}% of one core"));
        }
        Console.WriteLine("  targets: p50 <= 200 us, p99 <= 1 ms, >= 20000 req/s per zone");
    }

    private static void Report(string name, string figures) =>
        Console.WriteLine($"{name,-36} p50={Field(figures, "p50_us"),8} us  p99={Field(figures, "p99_us"),8} us  max={Field(figures, "max_us"),9} us  {Field(figures, "rps"),7} req/s");

    private static string Field(string figures, string name) =>
        figures.Split(' ', StringSplitOptions.TrimEntries).First(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static string InZone(string zlogin, DaemonProcess daemon, string uuid, string arguments)
    {
        var info = new ProcessStartInfo(zlogin) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(uuid);
        info.ArgumentList.Add("/opt/mdata-probe");
        foreach (string argument in arguments.Split(' '))
            info.ArgumentList.Add(argument);
        info.Environment["SOLSTICE_SOCKET"] = daemon.Socket;
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"mdata-probe {arguments}: exit {process.ExitCode}: {error.Result}");
        return output.Trim();
    }

    /// <summary>Answers every line with one fixed V2-shaped line, from a dedicated thread per connection.</summary>
    private sealed class EchoPeer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly string _path;

        public EchoPeer(string path)
        {
            _path = path;
            File.Delete(path);
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen();
            new Thread(Accept) { IsBackground = true }.Start();
        }

        private void Accept()
        {
            try
            {
                while (true)
                {
                    var connection = _listener.Accept();
                    new Thread(() => Serve(connection)) { IsBackground = true }.Start();
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private static void Serve(Socket connection)
        {
            byte[] answer = "V2 2d 9b7c0f3e abcd1234 SUCCESS dmFsdWU=\n"u8.ToArray();
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    int n = connection.Receive(buffer);
                    if (n == 0)
                        break;
                    if (buffer[n - 1] == '\n')
                        connection.Send(answer);
                }
            }
            catch (SocketException)
            {
            }
            connection.Dispose();
        }

        public void Dispose()
        {
            _listener.Dispose();
            File.Delete(_path);
        }
    }
}
