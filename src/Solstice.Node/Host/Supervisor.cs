using Solstice.Linux.Interop;

namespace Solstice.Node;

/// <summary>
/// Watches zone init processes through pidfds in one epoll set on one thread, and runs each
/// exit's handler on a thread of its own. The daemon is a
/// child subreaper, so inits it started are reparented to it when runc exits and their exit
/// status can be collected; inits adopted after a daemon restart belong to the host's init, and
/// their exit status is reported as unknown (-1).
/// </summary>
public sealed class Supervisor : IDisposable
{
    private readonly int _epoll = Pidfd.CreateEpoll();
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, (int Fd, string Id, Action<int> OnExit)> _watches = [];
    private readonly Thread _thread;
    private ulong _nextToken;
    private volatile bool _stopping;

    public Supervisor()
    {
        Pidfd.Prctl(Pidfd.PrSetChildSubreaper, 1, 0, 0, 0);
        _thread = new Thread(Loop) { IsBackground = true, Name = "supervisor" };
        _thread.Start();
    }

    /// <summary>Calls onExit(status) once when pid exits; returns false if it is already gone.</summary>
    public bool Watch(string id, int pid, Action<int> onExit)
    {
        int fd = Pidfd.Open(pid);
        if (fd < 0)
            return false;
        lock (_lock)
        {
            ulong token = ++_nextToken;
            _watches[token] = (fd, id, onExit);
            Pidfd.Add(_epoll, fd, token);
        }
        return true;
    }

    public void Unwatch(string id)
    {
        lock (_lock)
        {
            foreach (var (token, watch) in _watches.Where(w => w.Value.Id == id).ToList())
            {
                Pidfd.Remove(_epoll, watch.Fd);
                Libc.Close(watch.Fd);
                _watches.Remove(token);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _watches.Count;
        }
    }

    private void Loop()
    {
        Span<ulong> ready = stackalloc ulong[64];
        while (!_stopping)
        {
            int n = Pidfd.Wait(_epoll, ready, 500);
            for (int i = 0; i < n; i++)
            {
                (int Fd, string Id, Action<int> OnExit) watch;
                lock (_lock)
                {
                    if (!_watches.Remove(ready[i], out watch))
                        continue;
                    Pidfd.Remove(_epoll, watch.Fd);
                }
                int status = Pidfd.TryReap(watch.Fd) ?? -1;
                Libc.Close(watch.Fd);
                // Each handler on a thread of its own: a clean-up (runc delete, the network
                // namespace, a record write) takes tens of ms under load, and 20 zones stopped
                // at once would otherwise wait for each other's, their stops with them.
                var onExit = watch.OnExit;
                string id = watch.Id;
                Task.Factory.StartNew(() =>
                {
                    try
                    {
                        onExit(status);
                    }
                    catch (Exception ex)
                    {
                        Console.Error.WriteLine($"solsticed: exit handler for {id} failed: {ex.Message}");
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(2000);
        lock (_lock)
        {
            foreach (var watch in _watches.Values)
                Libc.Close(watch.Fd);
            _watches.Clear();
        }
        Libc.Close(_epoll);
    }
}
