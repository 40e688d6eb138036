using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Zones;

/// <summary>The zone driver's part of the instance-driver layer: its capabilities and the zone files it writes around a boot.</summary>
public sealed partial class OciZoneRuntime
{
    private static readonly InstanceDriverInfo s_info = new()
    {
        Name = "zone",
        Brands =
        [
            new InstanceBrand(VmBrand.Joyent, ["zone-dataset", "lx-dataset"]),
            new InstanceBrand(VmBrand.JoyentMinimal, ["zone-dataset", "lx-dataset"]),
            new InstanceBrand(VmBrand.Lx, ["lx-dataset", "docker"]),
        ],
        SurvivesDaemonRestart = true,
        LiveProperties = new HashSet<string>(StringComparer.Ordinal)
        {
            "cpu_cap", "cpu_shares", "max_physical_memory", "ram", "max_swap", "max_locked_memory", "max_lwps", "zfs_io_priority",
        },
        Console = InstanceConsole.Pty,
        NetworkNamespace = true,
    };

    public InstanceDriverInfo Info => s_info;

    /// <summary>The zone's hostname, /etc/hosts and resolv.conf, as vmadm writes them at create.</summary>
    public void Create(JsonObject vm) => ZoneIdentity.Write(vm, Path.Combine(zonePath(VmJson.AsString(vm["uuid"])!), "root"));

    /// <summary>The metadata seed files (BootActions) the zone reads at boot.</summary>
    public void Prepare(JsonObject vm)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        try
        {
            BootActions.WriteFiles(vm, Path.Combine(zonePath(uuid), "root"));
        }
        catch (SyscallException ex) when (ex.Errno is Errno.EDQUOT or Errno.ENOSPC)
        {
            // A zone that filled its quota still boots (as it would on SmartOS, where the zone
            // writes these itself); it keeps the seed files of its previous boot.
            Console.Error.WriteLine($"solsticed: {uuid}: boot files not refreshed: {ex.Message}");
        }
    }

    /// <summary>The operator-script and user-script, run in the booted zone when it has any (most don't, and then no exec is spawned).</summary>
    public void Started(JsonObject vm)
    {
        if (BootActions.HasScripts(vm))
            BootActions.RunScripts(ExecCommand(VmJson.AsString(vm["uuid"])!, BootActions.ScriptCommand, tty: false));
    }

    /// <summary>A zone that ran on while the daemon was down gets its stored controls again.</summary>
    public void Adopt(JsonObject vm) => Update(vm);

    /// <summary>The runtime's containers and the bundles in the run directory (a boot cut short may leave either alone).</summary>
    public IReadOnlyList<string> List()
    {
        var ids = runtime.List().Select(s => s.Id).ToList();
        string bundles = Path.Combine(runDirectory, "bundles");
        if (Directory.Exists(bundles))
        {
            ids.AddRange(Directory.EnumerateDirectories(bundles).Select(d => Path.GetFileName(d))
                .Where(n => n.Length == 36 && Guid.TryParse(n, out _)));
        }
        return ids.Distinct(StringComparer.Ordinal).ToList();
    }
}
