using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances;
using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Node.Tests;

/// <summary>
/// An instance driver whose instances are `sleep` processes started as runc starts an init: by a
/// shell that exits at once, so the test process (a subreaper, as solsticed is) inherits them and
/// only the VM service's supervisor reaps them. It records every call; its instances outlive a
/// VmService, as zones outlive their daemon.
/// </summary>
public sealed class FakeInstanceDriver : IInstanceDriver
{
    private readonly ConcurrentDictionary<string, (int Pid, int Pidfd)> _instances = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>When set, Start throws this (after nothing was made).</summary>
    public Exception? FailStart { get; set; }

    public InstanceDriverInfo Info { get; init; } = new()
    {
        Name = "fake",
        Brands = [new InstanceBrand(VmBrand.Joyent, ["zone-dataset"])],
        SurvivesDaemonRestart = true,
        LiveProperties = new HashSet<string>(StringComparer.Ordinal) { "max_physical_memory" },
        Console = InstanceConsole.Pty,
    };

    public IReadOnlyList<string> CallsFor(string uuid) => Calls.Where(c => c.EndsWith(" " + uuid, StringComparison.Ordinal)).Select(c => c.Split(' ')[0]).ToList();

    public void Create(JsonObject vm) => Record("create", vm);

    public void Prepare(JsonObject vm) => Record("prepare", vm);

    public InstanceBoot Start(JsonObject vm)
    {
        string uuid = Record("start", vm);
        if (FailStart is { } failure)
            throw failure;
        var result = ProcessCommandRunner.Instance.Run(["/bin/sh", "-c", "sleep 1000 </dev/null >/dev/null 2>&1 & echo $!"]);
        int pid = int.Parse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        _instances[uuid] = (pid, Pidfd.Open(pid));
        return new InstanceBoot(pid, -1);
    }

    public void Started(JsonObject vm) => Record("started", vm);

    public void Signal(string uuid, int signal, bool all)
    {
        Calls.Enqueue($"signal:{signal} {uuid}");
        if (!_instances.TryGetValue(uuid, out var instance) || !Alive(instance.Pid))
            throw new SolsticeException(ErrorCode.NotFound, $"no instance {uuid}");
        Pidfd.SendSignal(instance.Pidfd, signal);
    }

    public int StopSignal(string uuid) => 15;

    public void Delete(string uuid, bool force)
    {
        Calls.Enqueue($"delete {uuid}");
        if (_instances.TryRemove(uuid, out var instance))
        {
            End(instance);
            Libc.Close(instance.Pidfd);
        }
    }

    public InstanceState? State(string uuid) =>
        _instances.TryGetValue(uuid, out var instance) ? new InstanceState(Alive(instance.Pid), instance.Pid, null) : null;

    public IReadOnlyList<string> List() => _instances.Keys.ToList();

    public void Adopt(JsonObject vm) => Record("adopt", vm);

    public void Update(JsonObject vm) => Record("update", vm);

    public IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty) => ["fake-exec", uuid, .. argv];

    /// <summary>Ends an instance behind the service's back (a crash of the instance).</summary>
    public void Crash(string uuid) => End(_instances[uuid]);

    public int PidOf(string uuid) => _instances[uuid].Pid;

    private static void End((int Pid, int Pidfd) instance)
    {
        Pidfd.SendSignal(instance.Pidfd, 9);
        for (int i = 0; i < 500 && Alive(instance.Pid); i++)
            Thread.Sleep(10);
    }

    /// <summary>Running, not a zombie waiting for the supervisor to reap it.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string Record(string verb, JsonObject vm)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        Calls.Enqueue($"{verb} {uuid}");
        return uuid;
    }
}
