using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances;
using Solstice.Linux;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>
    /// Brings memory and the host in line with the VM records after a daemon start, including one
    /// after SIGKILL, so that every VM is settled and every object the node made belongs to a VM
    /// that needs it (docs/zones.md, "Crash consistency"):
    /// 1. each VM converges on what its record and its intent (the operation cut short) ask for:
    ///    creates still provisioning are rolled back, deletes are finished, an interrupted create
    ///    with autoboot or start or reboot comes up running, an interrupted stop ends stopped,
    ///    running zones are re-adopted (pid watched again, stored controls re-applied);
    /// 2. a sweep removes every runc container, bundle (with its console socket), network
    ///    namespace (with its veths and nft table), stray host veth, metadata directory, fd holder
    ///    copy, cgroup and console log that no VM needs;
    /// 3. on the first start since boot, autoboot VMs are booted.
    /// Each step is idempotent, so a crash during recovery is recovered by the next start.
    /// </summary>
    public void Recover(bool nodeBoot)
    {
        _cleanedInRecovery = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            RecoverAll(nodeBoot);
        }
        finally
        {
            _cleanedInRecovery = null;
        }
    }

    /// <summary>VMs whose host objects recovery has removed (<see cref="CleanUpStopped"/>), which the sweep then leaves alone.</summary>
    private HashSet<string>? _cleanedInRecovery;

    private void RecoverAll(bool nodeBoot)
    {
        var intents = _journal.All();
        foreach (var record in _repository.All.ToList())
        {
            string? intent = intents.GetValueOrDefault(record.Uuid);
            try
            {
                RecoverOne(record, intent, nodeBoot);
                _journal.End(record.Uuid);
            }
            catch (Exception ex) when (ex is SolsticeException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"solsticed: recovering VM {record.Uuid}{(intent is null ? "" : $" (interrupted {intent})")}: {ex.Message}");
                if (_repository.Find(record.Uuid) is { Phase: VmPhase.Ready })
                    Mutate(record.Uuid, vm => vm["failed_reason"] = $"recovery failed: {ex.Message}");
            }
            CrashPoint.Hit("recover.vm");
        }
        // An intent without a record: a create rolled back or a delete finished up to the record's removal.
        foreach (string uuid in intents.Keys.Where(u => !_repository.Contains(u)))
            _journal.End(uuid);
        Sweep(intents.Keys);
        CrashPoint.Hit("recover.swept");
        if (_network is not null)
        {
            _network.Links.ApplyAntiSpoof();
            _network.Firewall.Apply([]);
        }
    }

    private void RecoverOne(VmRecord record, string? intent, bool nodeBoot)
    {
        string uuid = record.Uuid;
        switch (record.Phase)
        {
            case VmPhase.Provisioning:
                RollBackCreate(uuid);
                return;
            case VmPhase.Deleting:
                FinishDelete(uuid);
                return;
        }
        if (VmJson.TryGetInteger(record.Vm["quota"], out long quotaGiB) && _pool.Driver.Info.Quotas && _pool.Exists(ZoneDataset(uuid)))
            _pool.SetQuota(ZoneDataset(uuid), quotaGiB > 0 ? quotaGiB << 30 : null);
        bool autoboot = VmJson.TryGetBoolean(record.Vm["autoboot"], out bool a) && a;
        var status = Driver(uuid).State(uuid);
        if (status is { Running: true } && Readopt(record, status))
        {
            if (intent == VmIntent.Stop)
            {
                // The stop was asked for and may have been answered: finish it.
                Mutate(uuid, vm => vm["autoboot"] = false);
                StopLocked(uuid, force: true, TimeSpan.Zero);
                return;
            }
            if (intent is not (VmIntent.Create or VmIntent.Start or VmIntent.Reboot) || _consoles.Has(uuid))
                return;
            // The boot was cut short after runc started the zone but before its console reached
            // the fd holder: the pty master died with the daemon. Boot it again, as asked.
            StopLocked(uuid, force: true, TimeSpan.Zero);
            CleanUpStopped(uuid);
            StartLocked(uuid, publish: true);
            return;
        }
        // Not running: whatever a boot or an exit left behind goes, then the VM boots if its
        // interrupted verb (or the node's boot) asked for it.
        CleanUpStopped(uuid);
        if (status is not null)
        {
            Mutate(uuid, vm =>
            {
                vm["exit_status"] = -1;
                vm["exit_timestamp"] = VmJson.FormatTimestamp(DateTimeOffset.UtcNow);
            });
        }
        bool boot = intent switch
        {
            VmIntent.Create => autoboot,
            VmIntent.Start or VmIntent.Reboot => true,
            VmIntent.Stop => false,
            _ => nodeBoot && autoboot,
        };
        if (intent == VmIntent.Stop && autoboot)
            Mutate(uuid, vm => vm["autoboot"] = false);
        if (boot && record.Vm["failed_reason"] is null)
            StartLocked(uuid, publish: true);
    }

    /// <summary>Watches a zone that kept running while the daemon was down; false if it is already gone.</summary>
    private bool Readopt(VmRecord record, InstanceState status)
    {
        string uuid = record.Uuid;
        var running = new RunningZone(status.Pid, status.Started ?? DateTimeOffset.UtcNow);
        _running[uuid] = running;
        if (!_supervisor.Watch(uuid, status.Pid, exit => OnExit(uuid, running, exit)))
        {
            _running.TryRemove(uuid, out _);
            return false;
        }
        DriverOf(record).Adopt(record.Vm);
        StartMetadata(uuid);
        _network?.Readopt(record.Vm);
        int master = _fdHolder?.Get(uuid) ?? -1;
        if (master >= 0)
            _consoles.Attach(uuid, master, ConsoleLogPath(uuid));
        return true;
    }

    /// <summary>A create cut short before its record was ready: everything it made goes, the record last.</summary>
    private void RollBackCreate(string uuid)
    {
        CleanUpStopped(uuid);
        CrashPoint.Hit("recover.rollback");
        if (_pool.Exists(ZoneDataset(uuid)))
            _pool.Destroy(ZoneDataset(uuid), recursive: true);
        RemoveConsoleLog(uuid);
        _repository.Remove(uuid);
    }

    /// <summary>Everything a boot of the VM makes on the host, for a VM that is not running.</summary>
    private void CleanUpStopped(string uuid)
    {
        DeleteInstance(uuid);
        ReleaseHostObjects(uuid);
        _network?.RemoveStrayLinks(uuid);
        RemoveCgroups(uuid);
        _cleanedInRecovery?.Add(uuid);
    }

    /// <summary>
    /// Removes what no VM needs. Objects named by a VM uuid in this daemon's own directories
    /// (run dir, pool) are matched against the records and the running zones; host-wide objects
    /// (cgroups, host links, which other daemons' zones share) are removed only for uuids this
    /// node knows, so another daemon's zones are never touched. A VM whose host objects its own
    /// recovery just removed (<see cref="CleanUpStopped"/>) is not cleaned a second time.
    /// </summary>
    private void Sweep(IEnumerable<string> intents)
    {
        var owned = new HashSet<string>(intents, StringComparer.Ordinal);
        bool Needed(string uuid) => _running.ContainsKey(uuid) || _cleanedInRecovery?.Contains(uuid) == true;
        foreach (var driver in _drivers.All)
        {
            foreach (string id in driver.List())
            {
                owned.Add(id);
                if (!Needed(id))
                    TryClean($"{driver.Info.Name} instance {id}", () => driver.Delete(id, force: true));
            }
        }
        foreach (var (directory, what, remove) in new (string?, string, Action<string>)[]
        {
            (_network?.NamespaceDirectory, "network namespace", id => _network!.Detach(id)),
            (Path.Combine(_metadata.RunDirectory, "zonecontrol"), "metadata directory", _metadata.Remove),
        })
        {
            foreach (string id in UuidEntries(directory))
            {
                owned.Add(id);
                if (!Needed(id))
                    TryClean($"{what} {id}", () => remove(id));
            }
        }
        foreach (string id in UuidEntries(Path.Combine(ConfigDirectory, "logs")))
        {
            if (!_repository.Contains(id))
                TryClean($"console log {id}", () => RemoveConsoleLog(id));
        }
        foreach (string id in owned.Concat(_repository.All.Select(r => r.Uuid)).Distinct(StringComparer.Ordinal).Where(id => !Needed(id)))
        {
            TryClean($"host links of {id}", () => _network?.RemoveStrayLinks(id));
            TryClean($"cgroups of {id}", () => RemoveCgroups(id));
            TryClean($"console copy of {id}", () => _fdHolder?.Delete(id));
        }
    }

    private static IEnumerable<string> UuidEntries(string? directory) =>
        directory is not null && Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory).Select(e => Path.GetFileName(e)).Where(n => Guid.TryParse(n, out _) && n.Length == 36).ToList()
            : [];

    private static void TryClean(string what, Action clean)
    {
        try
        {
            clean();
            CrashPoint.Hit("recover.sweep");
        }
        catch (Exception ex) when (ex is SolsticeException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"solsticed: removing stale {what}: {ex.Message}");
        }
    }

    /// <summary>
    /// The zone's cgroups (&lt;controller&gt;/solstice/&lt;uuid&gt;, or solstice/&lt;uuid&gt; on a pure v2 host)
    /// left by a runtime that died before removing them. Only empty cgroups can be removed, so a
    /// zone's processes are never affected.
    /// </summary>
    private static void RemoveCgroups(string uuid)
    {
        const string root = "/sys/fs/cgroup";
        if (!Directory.Exists(root))
            return;
        foreach (string controller in Directory.GetDirectories(root).Append(root))
        {
            string path = Path.Combine(controller, "solstice", uuid);
            if (!Directory.Exists(path))
                continue;
            foreach (string child in Directory.GetDirectories(path, "*", SearchOption.AllDirectories).OrderByDescending(c => c.Length))
                Directory.Delete(child);
            Directory.Delete(path);
        }
    }
}
