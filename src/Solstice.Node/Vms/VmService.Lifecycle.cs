using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances;
using Solstice.Linux;

namespace Solstice.Node;

/// <summary>The outcome of a lifecycle verb: done, or already in the requested state (vmadm exits 0 for both).</summary>
public sealed record LifecycleResult(bool AlreadyDone, string Message);

public sealed partial class VmService
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private readonly Lock _persistLock = new();

    public Task<LifecycleResult> StartAsync(string uuid, CancellationToken ct) => WithIntentAsync(uuid, VmIntent.Start, () =>
    {
        var record = RequireReady(uuid);
        if (_running.ContainsKey(uuid))
            return new LifecycleResult(true, $"VM {uuid} is already 'running'");
        StartLocked(uuid, publish: true);
        return new LifecycleResult(false, $"Successfully started VM {uuid}");
    }, ct);

    public Task<LifecycleResult> StopAsync(string uuid, bool force, TimeSpan timeout, CancellationToken ct) => WithIntentAsync(uuid, VmIntent.Stop, () =>
    {
        RequireReady(uuid);
        if (!_running.ContainsKey(uuid))
            return new LifecycleResult(true, $"VM {uuid} is already not 'running' (currently: stopped)");
        Mutate(uuid, vm => vm["autoboot"] = false);
        CrashPoint.Hit("stop.autoboot");
        StopLocked(uuid, force, timeout);
        return new LifecycleResult(false, $"Successfully completed stop for VM {uuid}");
    }, ct);

    public Task<LifecycleResult> RebootAsync(string uuid, bool force, TimeSpan timeout, CancellationToken ct) => WithIntentAsync(uuid, VmIntent.Reboot, () =>
    {
        RequireReady(uuid);
        if (!_running.ContainsKey(uuid))
            return new LifecycleResult(true, $"VM {uuid} is already not 'running' (currently: stopped)");
        StopLocked(uuid, force, timeout);
        StartLocked(uuid, publish: true);
        return new LifecycleResult(false, $"Successfully completed reboot for VM {uuid}");
    }, ct);

    /// <summary>vmadm kill: a signal to the zone's init (default SIGTERM), nothing else.</summary>
    public Task<LifecycleResult> KillAsync(string uuid, int signal, CancellationToken ct) => WithLockAsync(uuid, teardown: true, () =>
    {
        RequireReady(uuid);
        if (!_running.ContainsKey(uuid))
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {uuid} is not running");
        Driver(uuid).Signal(uuid, signal, all: false);
        return new LifecycleResult(false, $"Sent signal {signal} to VM {uuid}");
    }, ct);

    public Task DeleteAsync(string uuid, CancellationToken ct) => WithIntentAsync(uuid, VmIntent.Delete, () =>
    {
        var record = Require(uuid);
        if (VmJson.TryGetBoolean(record.Vm["indestructible_zoneroot"], out bool indestructible) && indestructible)
            throw new SolsticeException(ErrorCode.InvalidState, $"indestructible_zoneroot is set, cannot delete VM {uuid}");
        var before = View(record);
        _repository.Save(record with { Phase = VmPhase.Deleting });
        CrashPoint.Hit("delete.deleting");
        FinishDelete(uuid);
        Publish("delete", before, null);
        return true;
    }, ct);

    /// <summary>Removes the runtime, the datasets and the record, in that order, so it can be resumed after a crash.</summary>
    private void FinishDelete(string uuid)
    {
        if (_running.TryGetValue(uuid, out var running))
        {
            running.StopRequested = true;
            Driver(uuid).Signal(uuid, SigKill, all: true);
            running.Exited.Task.Wait(TimeSpan.FromSeconds(10));
        }
        _supervisor.Unwatch(uuid);
        if (_running.TryRemove(uuid, out _))
            _consoles.Detach(uuid);
        CrashPoint.Hit("delete.killed");
        DeleteRuntime(uuid);
        CrashPoint.Hit("delete.runtime");
        ReleaseHostObjects(uuid);
        var dataset = ZoneDataset(uuid);
        if (_pool.Exists(dataset))
            _pool.Destroy(dataset, recursive: true);
        CrashPoint.Hit("delete.dataset");
        RemoveConsoleLog(uuid);
        _repository.Remove(uuid);
        ForgetSnapshots(uuid);
    }

    private VmRecord RequireReady(string uuid)
    {
        var record = Require(uuid);
        if (record.Phase != VmPhase.Ready)
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {uuid} is {View(record)["state"]}");
        return record;
    }

    /// <summary>Boots the zone and starts watching its init. Caller holds the VM's lock.</summary>
    private void StartLocked(string uuid, bool publish)
    {
        var before = publish ? View(Require(uuid)) : null;
        var stored = Require(uuid).Vm;
        if (!(VmJson.TryGetBoolean(stored["autoboot"], out bool autoboot) && autoboot) || stored["failed_reason"] is not null)
        {
            Mutate(uuid, vm =>
            {
                vm["autoboot"] = true;
                vm.Remove("failed_reason");
            });
        }
        CrashPoint.Hit("start.autoboot");
        var driver = Driver(uuid);
        InstanceBoot boot;
        try
        {
            StartMetadata(uuid);
            CrashPoint.Hit("start.metadata");
            driver.Prepare(Require(uuid).Vm);
            if (driver.Info.NetworkNamespace)
                _network?.Attach(Require(uuid).Vm);
            CrashPoint.Hit("start.network");
            Directory.CreateDirectory(Path.GetDirectoryName(ConsoleLogPath(uuid))!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            boot = driver.Start(Require(uuid).Vm);
        }
        catch
        {
            try
            {
                driver.Delete(uuid, force: true);
            }
            catch (SolsticeException ex)
            {
                Console.Error.WriteLine($"solsticed: undoing the boot of {uuid}: {ex.Message}");
            }
            ReleaseHostObjects(uuid);
            throw;
        }
        CrashPoint.Hit("start.runtime");
        int pid = boot.Pid;
        AttachConsole(uuid, boot.ConsoleMaster);
        CrashPoint.Hit("start.console");
        var running = new RunningZone(pid, DateTimeOffset.UtcNow);
        _running[uuid] = running;
        if (!_supervisor.Watch(uuid, pid, status => OnExit(uuid, running, status)))
            OnExit(uuid, running, -1);
        else
            driver.Started(Require(uuid).Vm);
        if (publish)
            Publish("modify", before, View(Require(uuid)));
    }

    /// <summary>init's stop signal (SIGTERM, SIGRTMIN+3 for systemd; SIGKILL with force), then SIGKILL to everything after the timeout.</summary>
    private void StopLocked(string uuid, bool force, TimeSpan timeout)
    {
        if (!_running.TryGetValue(uuid, out var running))
            return;
        var before = View(Require(uuid));
        running.StopRequested = true;
        Publish("modify", before, View(Require(uuid)));
        var driver = Driver(uuid);
        int signal = force ? SigKill : driver.StopSignal(uuid); // read from the bundle once, not per resend
        try
        {
            driver.Signal(uuid, signal, all: force);
        }
        catch (SolsticeException)
        {
            // It may have exited between the check and the signal; the wait below settles it.
        }
        CrashPoint.Hit("stop.signalled");
        // SIGTERM is resent until the timeout: a zone's init ignores it until it has installed
        // its handler (pid 1 of a namespace ignores unhandled signals), which a just-booted zone
        // may not have done yet.
        var deadline = DateTime.UtcNow + (force ? TimeSpan.FromSeconds(10) : timeout);
        while (!running.Exited.Task.Wait(TimeSpan.FromMilliseconds(250)) && DateTime.UtcNow < deadline)
        {
            if (!force)
                TrySignal(uuid, signal);
        }
        if (!running.Exited.Task.IsCompleted)
        {
            driver.Signal(uuid, SigKill, all: true);
            if (!running.Exited.Task.Wait(TimeSpan.FromSeconds(10)))
                throw new SolsticeException(ErrorCode.BackendFailed, $"VM {uuid} did not stop after SIGKILL");
        }
    }

    /// <summary>Serves the zone's console; the fd holder keeps a copy of the master for the next daemon.</summary>
    private void AttachConsole(string uuid, int master)
    {
        if (master < 0)
            return;
        _fdHolder?.Put(uuid, master);
        _consoles.Attach(uuid, master, ConsoleLogPath(uuid));
    }

    public Task ConsoleAsync(string uuid, Stream client, CancellationToken ct)
    {
        RequireReady(uuid);
        if (!_consoles.Has(uuid))
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {uuid} has no console (it is not running)");
        return _consoles.SessionAsync(uuid, client, ct);
    }

    public void RequireConsole(string uuid)
    {
        RequireReady(uuid);
        if (!_consoles.Has(uuid))
            throw new SolsticeException(ErrorCode.InvalidState, $"VM {uuid} has no console (it is not running)");
    }

    /// <summary>
    /// runc refuses to delete while any process of the zone lingers (an exec still starting,
    /// an init not yet reaped); a killed zone settles within moments, so retry briefly.
    /// </summary>
    private void DeleteRuntime(string uuid)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                DeleteInstance(uuid);
                return;
            }
            catch (SolsticeException) when (attempt < 20)
            {
                TrySignal(uuid, SigKill);
                Thread.Sleep(50);
            }
        }
    }

    private void TrySignal(string uuid, int signal)
    {
        try
        {
            Driver(uuid).Signal(uuid, signal, all: false);
        }
        catch (SolsticeException)
        {
        }
    }

    /// <summary>Runs when a zone's init exits, whoever caused it, on a thread of its own (<see cref="Supervisor"/>); its clean-up is teardown (<see cref="WorkPriority"/>).</summary>
    private void OnExit(string uuid, RunningZone running, int status) => WorkPriority.AsLifecycle(() => CleanUpAfterExit(uuid, running, status), teardown: true);

    private void CleanUpAfterExit(string uuid, RunningZone running, int status)
    {
        var record = _repository.Find(uuid);
        var before = record is null ? null : View(record);
        // The exit status is stored before the zone stops counting as running, so no reader
        // ever sees it stopped without its exit status.
        if (record is not null && record.Phase == VmPhase.Ready)
        {
            Mutate(uuid, vm =>
            {
                vm["exit_status"] = status;
                vm["exit_timestamp"] = VmJson.FormatTimestamp(DateTimeOffset.UtcNow);
            });
        }
        try
        {
            if (_running.TryRemove(new KeyValuePair<string, RunningZone>(uuid, running)))
                _consoles.Detach(uuid);
            CrashPoint.Hit("exit.console");
            DeleteInstance(uuid);
            CrashPoint.Hit("exit.runtime");
            ReleaseHostObjects(uuid);
        }
        catch (Exception ex) when (ex is SolsticeException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"solsticed: cleaning up {uuid} after exit: {ex.Message}");
        }
        finally
        {
            // Whatever failed above, a stop waiting for this exit must see it.
            running.Exited.TrySetResult(status);
        }
        if (record is not null && record.Phase == VmPhase.Ready && _repository.Find(uuid) is { } after)
            Publish("modify", before, View(after));
    }

    /// <summary>
    /// Releases what a boot made on the host outside the runtime: the metadata server and its
    /// directory, the console copy in the fd holder, the network namespace (and with it the
    /// veths and the zone's nft table). Idempotent; the caller has deleted the runtime container.
    /// </summary>
    private void ReleaseHostObjects(string uuid)
    {
        _metadata.Remove(uuid);
        _fdHolder?.Delete(uuid);
        _network?.Detach(uuid);
    }

    private void RemoveConsoleLog(string uuid)
    {
        string directory = Path.GetDirectoryName(ConsoleLogPath(uuid))!;
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    /// <summary>Read-modify-write of a stored VM under the persist lock (short; never held across runtime calls).</summary>
    private VmRecord Mutate(string uuid, Action<JsonObject> change)
    {
        lock (_persistLock)
        {
            var record = Require(uuid);
            var vm = (JsonObject)record.Vm.DeepClone();
            change(vm);
            vm["last_modified"] = VmJson.FormatTimestamp(DateTimeOffset.UtcNow);
            var updated = record with { Vm = vm };
            _repository.Save(updated);
            return updated;
        }
    }

    /// <summary>The argv zlogin runs to enter a running zone (runc exec with the zone's own limits).</summary>
    public IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty)
    {
        RequireReady(uuid);
        if (!_running.ContainsKey(uuid))
            throw new SolsticeException(ErrorCode.InvalidState, $"zlogin: zone '{uuid}' is not running");
        return Driver(uuid).ExecCommand(uuid, argv.Count == 0 ? ["/bin/sh", "-l"] : argv, tty);
    }
}
