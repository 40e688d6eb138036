using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Solstice.Linux;

namespace Solstice.Benchmarks;

/// <summary>
/// A TCP connection across a network path (client in one namespace, server in another) that sends
/// a given number of bytes on request and times them from the first write to the receipt of the last
/// byte. The sending thread is pinned to one CPU and the receiving thread to another, like a pinned
/// iperf3 client and server, and both write and read 128 KiB at a time (iperf3's default). Unlike
/// iperf3 it takes no process start-up or warm-up, so a short transfer can be compared across paths
/// within a fraction of a second.
/// </summary>
internal sealed class TcpSlices : IDisposable
{
    private const int ChunkBytes = 128 * 1024;
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private readonly SemaphoreSlim _go = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private long _sliceBytes;
    private long _received;
    private long _target = long.MaxValue;
    private long _startedAt;
    private long _doneAt;
    private volatile bool _closing;
    private Exception? _error;

    public TcpSlices(string fromNetns, string toNetns, IPAddress address, int clientCpu, int serverCpu)
    {
        using var listener = NetworkNamespace.Run(toNetns, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            socket.Listen(1);
            return socket;
        });
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        _client = NetworkNamespace.Run(fromNetns, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endpoint);
            return socket;
        });
        _server = listener.Accept();
        _sender = new Thread(() => Guard(() => Send(clientCpu))) { IsBackground = true, Name = "tcp-send" };
        _receiver = new Thread(() => Guard(() => Receive(serverCpu))) { IsBackground = true, Name = "tcp-receive" };
        _sender.Start();
        _receiver.Start();
    }

    /// <summary>Sends bytes (a multiple of 128 KiB) and returns the throughput in Gbit/s.</summary>
    public double Transfer(long bytes)
    {
        _done.Reset();
        Volatile.Write(ref _sliceBytes, bytes);
        Volatile.Write(ref _target, Volatile.Read(ref _received) + bytes);
        _go.Release();
        if (!_done.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException("a TCP slice did not arrive within 60 s");
        if (Volatile.Read(ref _error) is { } error)
            throw new InvalidOperationException("TCP transfer failed", error);
        double seconds = Stopwatch.GetElapsedTime(_startedAt, _doneAt).TotalSeconds;
        return bytes * 8 / seconds / 1e9;
    }

    public void Dispose()
    {
        _closing = true;
        _go.Release();
        _sender.Join();
        _client.Shutdown(SocketShutdown.Send);
        _receiver.Join();
        _client.Dispose();
        _server.Dispose();
        _go.Dispose();
        _done.Dispose();
    }

    /// <summary>A thread's failure ends the transfer waiting on it instead of the process (which would skip the bench's cleanup).</summary>
    private void Guard(Action body)
    {
        try
        {
            body();
        }
        catch (Exception ex) when (!_closing)
        {
            Volatile.Write(ref _error, ex);
            _done.Set();
        }
        catch (Exception) when (_closing)
        {
            // the connection is being torn down
        }
    }

    private void Send(int cpu)
    {
        Pin(cpu);
        byte[] chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(chunk);
        while (true)
        {
            _go.Wait();
            if (_closing)
                return;
            long left = Volatile.Read(ref _sliceBytes);
            _startedAt = Stopwatch.GetTimestamp();
            while (left > 0)
                left -= _client.Send(chunk, 0, (int)Math.Min(left, ChunkBytes), SocketFlags.None);
        }
    }

    private void Receive(int cpu)
    {
        Pin(cpu);
        byte[] chunk = new byte[ChunkBytes];
        int n;
        while ((n = _server.Receive(chunk)) > 0)
        {
            long total = _received + n;
            Volatile.Write(ref _received, total);
            if (total >= Volatile.Read(ref _target))
            {
                _doneAt = Stopwatch.GetTimestamp();
                Volatile.Write(ref _target, long.MaxValue);
                _done.Set();
            }
        }
    }

    private static void Pin(int cpu)
    {
        ulong mask = 1UL << cpu;
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity to CPU {cpu}: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}
