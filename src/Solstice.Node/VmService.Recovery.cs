using Solstice.Core;
using Solstice.Core.Vm;

namespace Solstice.Node;

public sealed partial class VmService
{
    /// <summary>
    /// Brings memory in line with the host after a daemon start, including one after SIGKILL:
    /// creates cut short are undone, deletes cut short are finished, running zones are re-adopted
    /// (pid watched again, stored resource controls re-applied), runtime containers nobody owns
    /// are removed, and on the first start since boot the autoboot VMs are booted.
    /// </summary>
    public void Recover(bool nodeBoot)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in _repository.All.ToList())
        {
            known.Add(record.Uuid);
            try
            {
                RecoverOne(record, nodeBoot);
            }
            catch (Exception ex) when (ex is SolsticeException or IOException)
            {
                Console.Error.WriteLine($"solsticed: recovering VM {record.Uuid}: {ex.Message}");
                if (_repository.Find(record.Uuid) is { Phase: VmPhase.Ready })
                    Mutate(record.Uuid, vm => vm["failed_reason"] = $"recovery failed: {ex.Message}");
            }
        }
        foreach (string id in _runtime.List())
        {
            if (!known.Contains(id))
                _runtime.Delete(id, force: true);
        }
        if (_network is not null)
        {
            _network.Links.ApplyAntiSpoof();
            _network.Firewall.Apply([]);
        }
    }

    private void RecoverOne(VmRecord record, bool nodeBoot)
    {
        string uuid = record.Uuid;
        switch (record.Phase)
        {
            case VmPhase.Provisioning:
                _runtime.Delete(uuid, force: true);
                if (_pool.Exists(ZoneDataset(uuid)))
                    _pool.Destroy(ZoneDataset(uuid), recursive: true);
                _repository.Remove(uuid);
                return;
            case VmPhase.Deleting:
                FinishDelete(uuid);
                return;
        }
        var status = _runtime.Status(uuid);
        if (status is { Running: true })
        {
            var running = new RunningZone(status.Pid, status.Started ?? DateTimeOffset.UtcNow);
            _running[uuid] = running;
            if (_supervisor.Watch(uuid, status.Pid, exit => OnExit(uuid, running, exit)))
            {
                _runtime.UpdateResources(record.Vm);
                StartMetadata(uuid);
                _network?.Readopt(record.Vm);
                int master = _fdHolder?.Get(uuid) ?? -1;
                if (master >= 0)
                    _consoles.Attach(uuid, master, Path.Combine(ZonePath(uuid), "logs", "console.log"));
                return;
            }
            _running.TryRemove(uuid, out _);
        }
        if (status is not null)
        {
            _runtime.Delete(uuid, force: true);
            _network?.Detach(uuid);
            Mutate(uuid, vm =>
            {
                vm["exit_status"] = -1;
                vm["exit_timestamp"] = VmJson.FormatTimestamp(DateTimeOffset.UtcNow);
            });
        }
        if (nodeBoot && VmJson.TryGetBoolean(record.Vm["autoboot"], out bool autoboot) && autoboot)
            StartLocked(uuid, publish: true);
    }
}
