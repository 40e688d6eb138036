using System.Net.Sockets;
using System.Text;
using Solstice.TestKit;

namespace Solstice.Metadata.Tests.Support;

/// <summary>A metadata server on a unix socket in a temp directory, over a <see cref="TestVm"/>.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("mdata");

    public ServerHarness(MetadataLimits? limits = null, TestVm? vm = null)
    {
        Vm = vm ?? new TestVm();
        SocketPath = _dir.Combine("metadata.sock");
        Server = new MetadataServer(SocketPath, Vm.Store, limits, line => { lock (Log) Log.Add(line); });
        Server.Start();
    }

    public TestVm Vm { get; }

    public string SocketPath { get; }

    public MetadataServer Server { get; }

    public List<string> Log { get; } = [];

    public string Directory => _dir.Path;

    public TestClient Connect() => new(SocketPath);

    /// <summary>Waits until <paramref name="condition"/> holds (server bookkeeping is asynchronous).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
                Assert.Fail("condition not met in time");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A raw connection for sending exact bytes and reading answer lines.</summary>
public sealed class TestClient : IDisposable
{
    private readonly List<byte> _pending = [];

    public TestClient(string path)
    {
        Socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Socket.Connect(new UnixDomainSocketEndPoint(path));
    }

    public Socket Socket { get; }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] data)
    {
        int sent = 0;
        while (sent < data.Length)
            sent += Socket.Send(data, sent, data.Length - sent, SocketFlags.None);
    }

    /// <summary>The next line without LF, or null at end of stream; fails the test after the timeout.</summary>
    public string? ReadLine(int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        var chunk = new byte[65536];
        while (true)
        {
            int newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(_pending.GetRange(0, newline).ToArray());
                _pending.RemoveRange(0, newline + 1);
                return line;
            }
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
                throw new TimeoutException("no answer line");
            if (!Socket.Poll((int)Math.Min(remaining, int.MaxValue / 1000) * 1000, SelectMode.SelectRead))
                continue;
            int n;
            try
            {
                n = Socket.Receive(chunk);
            }
            catch (SocketException)
            {
                return null;
            }
            if (n == 0)
                return null;
            _pending.AddRange(chunk.AsSpan(0, n));
        }
    }

    /// <summary>True if the server closed the connection within the timeout (pending answers are skipped).</summary>
    public bool WaitClosed(int timeoutMs = 5000)
    {
        try
        {
            while (ReadLine(timeoutMs) is not null)
            {
            }
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => Socket.Dispose();
}
