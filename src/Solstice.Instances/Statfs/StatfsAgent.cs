using System.Net.Sockets;
using System.Text.Json;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Statfs;

/// <summary>
/// `solsticed statfs-agent &lt;socket&gt;`: the long-lived process that answers zones' statfs(2)
/// and fstatfs(2) (docs/security.md). runc connects to the socket when a zone starts or a process
/// is exec'd into it (the seccomp profile's listenerPath) and sends the filter's listener
/// descriptor with the container state as JSON. The agent keeps the listener for as long as any
/// task under that filter lives and needs nothing from solsticed: the zone's root comes from the
/// bundle named in the state, its quota from the btrfs quota tree. So zones keep their answers
/// while solsticed is stopped, restarting or killed.
/// </summary>
public static class StatfsAgent
{
    public const string SocketName = "statfs.sock";

    /// <summary>Answers per second one listener gets before its callers wait; a zone flooding statfs slows only itself.</summary>
    public const int AnswersPerSecond = 5000;

    public const int Burst = 500;

    private const int MaxStateBytes = 1 << 20;

    public static int Serve(string socketPath)
    {
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(64);
        while (true)
        {
            Socket connection;
            try
            {
                connection = listener.Accept();
            }
            catch (SocketException)
            {
                continue;
            }
            var thread = new Thread(() => Register(connection), 256 * 1024) { IsBackground = true, Name = "statfs-register" };
            thread.Start();
        }
    }

    private static void Register(Socket connection)
    {
        int listenerFd = -1;
        var state = new MemoryStream();
        try
        {
            using (connection)
            {
                connection.ReceiveTimeout = 5000;
                // runc 1.1 never closes its end (it closes only a dup of the connection), and its init
                // may already wait on this listener (runc's own fstatfs of /proc/self/fd): read until
                // the state parses as JSON, not until end of stream.
                var buffer = new byte[64 * 1024];
                while (state.Length < MaxStateBytes)
                {
                    int fd = ScmRights.Receive(connection.SafeHandle, buffer, out int length);
                    if (fd >= 0 && listenerFd < 0)
                        listenerFd = fd;
                    else if (fd >= 0)
                        Libc.Close(fd);
                    if (length == 0)
                        break;
                    state.Write(buffer, 0, length);
                    if (IsCompleteJson(state))
                        break;
                }
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"solstice statfs-agent: reading a registration failed: {ex.Message}");
        }
        if (listenerFd < 0)
            return;
        // Once received, a listener is always served: closing it would fail the zone's statfs with ENOSYS.
        // Without a usable zone (a bad state, a root not on btrfs) every call goes to the kernel.
        var (name, zone) = ZoneOf(state.ToArray());
        var thread = new Thread(() => Answer(listenerFd, name, zone), 256 * 1024) { IsBackground = true, Name = $"statfs {name}" };
        thread.Start();
    }

    private static bool IsCompleteJson(MemoryStream state)
    {
        var reader = new Utf8JsonReader(state.GetBuffer().AsSpan(0, (int)state.Length), isFinalBlock: false, default);
        try
        {
            return reader.Read() && reader.TrySkip() && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>The zone named by runc's state: its root's subvolume and qgroup. A zone whose root isn't on btrfs gets null (every call passes through).</summary>
    private static (string Name, ZoneDataset? Zone) ZoneOf(byte[] stateJson)
    {
        string name = "?";
        int rootFd = -1;
        try
        {
            using var document = JsonDocument.Parse(stateJson);
            var root = document.RootElement;
            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.String)
                name = metadata.GetString()!;
            string bundle = root.GetProperty("state").GetProperty("bundle").GetString()!;
            using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, "config.json")));
            string rootPath = Path.Combine(bundle, config.RootElement.GetProperty("root").GetProperty("path").GetString()!);
            rootFd = Libc.Open(rootPath, Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec, 0);
            if (rootFd < 0)
                throw SyscallException.Last($"open {rootPath}");
            Libc.StatFsBuffer statfs;
            unsafe
            {
                if (Libc.FStatFs(rootFd, &statfs) < 0 || statfs.Type != Btrfs.SuperMagic)
                {
                    Libc.Close(rootFd);
                    return (name, null);
                }
            }
            var (major, minor, _) = FileStat.Identity(rootFd);
            ulong subvolume = Btrfs.SubvolumeIdOf(rootFd);
            // Kept open, this descriptor would pin the host's runtime view of the pool (umount: EBUSY).
            Libc.Close(rootFd);
            rootFd = -1;
            string label = name;
            return (name, new ZoneDataset(major, minor, pid => QgroupThroughRoot(pid, major, minor, subvolume, label)));
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"solstice statfs-agent: zone {name}: {ex.Message}; its statfs calls go to the kernel");
            if (rootFd >= 0)
                Libc.Close(rootFd);
            return (name, null);
        }
    }

    /// <summary>
    /// The zone's qgroup, read through the calling process's root (the zone's own mount of its
    /// dataset), only when that root is on the zone's subvolume; null otherwise.
    /// </summary>
    private static QgroupUsage? QgroupThroughRoot(int pid, uint major, uint minor, ulong subvolume, string name)
    {
        int fd = Libc.Open($"/proc/{pid}/root", Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec, 0);
        if (fd < 0)
            return null;
        try
        {
            var (m, n, _) = FileStat.Identity(fd);
            return m == major && n == minor ? Btrfs.GetQgroup(fd, subvolume, name) : null;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static void Answer(int listener, string name, ZoneDataset? zone)
    {
        var responder = new StatfsResponder(new LinuxStatfsHost(listener), zone);
        var bucket = new AnswerBudget(AnswersPerSecond, Burst);
        long lastLog = 0;
        // One line a minute at most: a zone can make every call fail the same way.
        void Log(string message)
        {
            if (lastLog != 0 && Environment.TickCount64 - lastLog < 60_000)
                return;
            lastLog = Environment.TickCount64;
            Console.Error.WriteLine($"solstice statfs-agent: zone {name}: {message}");
        }
        try
        {
            while (true)
            {
                var ready = SeccompNotify.Wait(listener, 60_000);
                if (ready == SeccompNotify.WaitResult.Closed)
                    return;
                if (ready == SeccompNotify.WaitResult.Timeout)
                    continue;
                SeccompNotification? received;
                try
                {
                    received = SeccompNotify.Receive(listener);
                }
                catch (SyscallException ex) when (ex.Errno != Errno.EBADF)
                {
                    // Dropping the listener would fail the zone's statfs with ENOSYS: keep trying.
                    Log(ex.Message);
                    Thread.Sleep(10);
                    continue;
                }
                if (received is not { } call)
                    continue;
                bucket.Take();
                StatfsReply reply;
                try
                {
                    reply = responder.Decide(call);
                }
                catch (Exception ex)
                {
                    Log(ex.Message);
                    reply = StatfsReply.Continue;
                }
                if (reply == StatfsReply.Continue)
                    SeccompNotify.Continue(listener, call.Id);
                else if (reply == StatfsReply.Answered)
                    SeccompNotify.Reply(listener, call.Id, 0, 0);
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"solstice statfs-agent: zone {name}: listener failed: {ex.Message}");
        }
        finally
        {
            Libc.Close(listener);
        }
    }
}

/// <summary>A token bucket on one thread: Take sleeps until a token is there.</summary>
public sealed class AnswerBudget(int perSecond, int burst, TimeProvider? clock = null, Action<TimeSpan>? sleep = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Action<TimeSpan> _sleep = sleep ?? Thread.Sleep;
    private double _tokens = burst;
    private long _last = (clock ?? TimeProvider.System).GetTimestamp();

    public void Take()
    {
        while (true)
        {
            long now = _clock.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + _clock.GetElapsedTime(_last, now).TotalSeconds * perSecond);
            _last = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return;
            }
            _sleep(TimeSpan.FromSeconds((1 - _tokens) / perSecond));
        }
    }
}
