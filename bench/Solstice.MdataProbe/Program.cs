using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Solstice.Metadata;

// Runs inside a zone and measures metadata round trips over the zone's own socket, with the
// same client code as the mdata-* tools. Prints one line of key=value figures for the benchmark.
//   mdata-probe latency <socket> <key> <requests>
//   mdata-probe throughput <socket> <key> <seconds> <connections>
//   mdata-probe echo <socket> <requests>        (raw line round trips, the floor)
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: mdata-probe latency|throughput|echo <socket> ...");
    return 3;
}
string socket = args[1];
switch (args[0])
{
    case "latency":
        Latency(socket, args[2], Parse(args[3]));
        return 0;
    case "throughput":
        Throughput(socket, args[2], TimeSpan.FromSeconds(Parse(args[3])), Parse(args[4]));
        return 0;
    case "echo":
        Echo(socket, Parse(args[2]));
        return 0;
    default:
        Console.Error.WriteLine($"mdata-probe: unknown mode '{args[0]}'");
        return 3;
}

static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static MetadataClient Connect(string socket)
{
    var client = new MetadataClient(Open(socket));
    if (!client.ActiveReset() || !client.Negotiate() || client.Version != 2)
        throw new InvalidOperationException($"{socket}: no V2 metadata service");
    return client;
}

static NetworkStream Open(string socket)
{
    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    s.Connect(new UnixDomainSocketEndPoint(socket));
    return new NetworkStream(s, ownsSocket: true);
}

static void Get(MetadataClient client, byte[] key)
{
    if (!client.Execute("GET", key, hasArgument: true, out var response) || response.Code != MetadataResponseCode.Success)
        throw new InvalidOperationException($"GET failed: {response.Code}");
}

static void Latency(string socket, string key, int requests)
{
    using var client = Connect(socket);
    byte[] name = Encoding.UTF8.GetBytes(key);
    for (int i = 0; i < Math.Min(1000, requests); i++)
        Get(client, name);
    var ticks = new long[requests];
    long started = Stopwatch.GetTimestamp();
    for (int i = 0; i < requests; i++)
    {
        long t = Stopwatch.GetTimestamp();
        Get(client, name);
        ticks[i] = Stopwatch.GetTimestamp() - t;
    }
    Report(ticks, Stopwatch.GetElapsedTime(started));
}

static void Throughput(string socket, string key, TimeSpan duration, int connections)
{
    byte[] name = Encoding.UTF8.GetBytes(key);
    long total = 0;
    var clients = Enumerable.Range(0, connections).Select(_ => Connect(socket)).ToList();
    using var go = new ManualResetEventSlim();
    long started = 0;
    var threads = clients.Select(client => new Thread(() =>
    {
        go.Wait();
        long count = 0;
        while (Stopwatch.GetElapsedTime(Volatile.Read(ref started)) < duration)
        {
            Get(client, name);
            count++;
        }
        Interlocked.Add(ref total, count);
    })).ToList();
    threads.ForEach(t => t.Start());
    Volatile.Write(ref started, Stopwatch.GetTimestamp());
    go.Set();
    threads.ForEach(t => t.Join());
    var elapsed = Stopwatch.GetElapsedTime(started);
    clients.ForEach(c => c.Dispose());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"requests={total} seconds={elapsed.TotalSeconds:F3} rps={total / elapsed.TotalSeconds:F0}"));
}

// A line out, a line back, over the same kind of socket: what the kernel and a trivial peer cost.
static void Echo(string socket, int requests)
{
    using var stream = Open(socket);
    byte[] line = "V2 1f 00000000 abcd1234 GET c2RjOnV1aWQ=\n"u8.ToArray();
    var buffer = new byte[4096];
    var ticks = new long[requests];
    long started = Stopwatch.GetTimestamp();
    for (int i = 0; i < requests; i++)
    {
        long t = Stopwatch.GetTimestamp();
        stream.Write(line);
        int got = 0;
        do
        {
            int n = stream.Read(buffer, got, buffer.Length - got);
            if (n == 0)
                throw new InvalidOperationException("echo peer closed");
            got += n;
        }
        while (buffer[got - 1] != '\n');
        ticks[i] = Stopwatch.GetTimestamp() - t;
    }
    Report(ticks, Stopwatch.GetElapsedTime(started));
}

static void Report(long[] ticks, TimeSpan elapsed)
{
    Array.Sort(ticks);
    double Us(double p) => ticks[Math.Clamp((int)Math.Ceiling(p / 100 * ticks.Length) - 1, 0, ticks.Length - 1)] * 1e6 / Stopwatch.Frequency;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"requests={ticks.Length} p50_us={Us(50):F1} p99_us={Us(99):F1} max_us={Us(100):F1} rps={ticks.Length / elapsed.TotalSeconds:F0}"));
}
