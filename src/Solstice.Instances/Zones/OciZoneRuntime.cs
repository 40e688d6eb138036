using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;
using Solstice.Instances.Oci;

namespace Solstice.Instances.Zones;

/// <summary>
/// Runs OS zones on runc or crun. The bundle (config.json) is generated afresh at every boot from
/// the stored vmadm object into /run/solstice/bundles/&lt;uuid&gt;, so it never disagrees with it;
/// init's output and runc's own are appended to the zone's console log (consoleLog; by default
/// &lt;zonepath&gt;/logs/console.log, solsticed keeps it outside the zone's dataset). The runtime
/// takes the zone's root from runtimeZonePath (the pool's runtime view, where setuid bits count;
/// see PoolManager), which defaults to zonePath.
/// </summary>
public sealed partial class OciZoneRuntime(IOciRuntime runtime, OciHostFeatures host, string runDirectory, Func<string, string> zonePath,
    Func<string, string?>? networkNamespace = null, Func<Guid, Solstice.Images.Docker.DockerRuntimeConfig?>? dockerConfig = null,
    Func<string, string>? runtimeZonePath = null, Func<string, string>? consoleLog = null,
    Solstice.Instances.Statfs.StatfsAgentClient? statfsAgent = null) : IInstanceDriver
{
    private readonly string _platform = PlatformFiles.Write(runDirectory);

    public IOciRuntime Runtime => runtime;

    public InstanceBoot Start(JsonObject vm)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        var spec = SpecFor(vm);
        string bundle = Path.Combine(runDirectory, "bundles", uuid);
        Directory.CreateDirectory(bundle);
        var config = RuntimeSpecBuilder.Build(spec, host);
        if (VmJson.TryGetBoolean(vm["docker"], out bool docker) && docker)
        {
            var image = dockerConfig is not null && Guid.TryParse(VmJson.AsString(vm["image_uuid"]), out var imageUuid) ? dockerConfig(imageUuid) : null;
            var metadata = vm["internal_metadata"] as JsonObject;
            if (image is not null || DockerProcess.HasProcess(metadata))
                DockerProcess.Apply(config, image, metadata, spec.RootfsPath);
        }
        OciBundle.Write(bundle, config);
        string pidFile = Path.Combine(bundle, "init.pid");
        File.Delete(pidFile);
        string log = consoleLog?.Invoke(uuid) ?? Path.Combine(zonePath(uuid), "logs", "console.log");
        string socketPath = Path.Combine(bundle, "console.sock");
        File.Delete(socketPath);
        // runc connects, hands over the pty master and exits; the listener queues the
        // connection, so receiving after runc returns is safe.
        using var console = ConsoleSocket.Listen(socketPath);
        statfsAgent?.EnsureRunning();
        try
        {
            runtime.RunDetached(uuid, bundle, pidFile, log, socketPath);
        }
        catch (SolsticeException ex) when (ex.Message.Contains("already exists", StringComparison.Ordinal))
        {
            // A stale container of the same id (a boot cut short by a crash): clear it and retry once.
            runtime.Delete(uuid, force: true);
            runtime.RunDetached(uuid, bundle, pidFile, log, socketPath);
        }
        catch
        {
            Delete(uuid, force: true);
            throw;
        }
        var master = console.ReceiveMaster(TimeSpan.FromSeconds(10));
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        int fd = (int)master.DangerousGetHandle();
        master.SetHandleAsInvalid();
        return new InstanceBoot(pid, fd);
    }

    public void Signal(string uuid, int signal, bool all) => runtime.Kill(uuid, signal, all);

    /// <summary>The stop signal the zone's bundle names (so it holds for zones adopted after a restart), else SIGTERM.</summary>
    public int StopSignal(string uuid)
    {
        try
        {
            string config = Path.Combine(runDirectory, "bundles", uuid, "config.json");
            if (File.Exists(config) && JsonNode.Parse(File.ReadAllText(config))?["annotations"]?[RuntimeSpecBuilder.StopSignalAnnotation] is JsonValue value
                && int.TryParse(value.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int signal))
                return signal;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
        }
        return 15;
    }

    public void Delete(string uuid, bool force)
    {
        try
        {
            runtime.Delete(uuid, force);
        }
        catch (SolsticeException ex) when (ex.Code == ErrorCode.NotFound)
        {
        }
        string bundle = Path.Combine(runDirectory, "bundles", uuid);
        if (Directory.Exists(bundle))
            Directory.Delete(bundle, recursive: true);
    }

    public InstanceState? State(string uuid)
    {
        try
        {
            var state = runtime.State(uuid);
            return new InstanceState(state.Status == OciStatus.Running, state.Pid, StartedAt(state.Pid));
        }
        catch (SolsticeException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    public void Update(JsonObject vm) =>
        runtime.Update(VmJson.AsString(vm["uuid"])!, RuntimeSpecBuilder.BuildResources(LimitsOf(vm), host));

    public IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty)
    {
        // runc exec hands the new process's seccomp listener to the agent too.
        statfsAgent?.EnsureRunning();
        return runtime.ExecCommand(uuid, argv, tty);
    }

    /// <summary>The runtime spec of a zone, from its vmadm properties.</summary>
    public ZoneRuntimeSpec SpecFor(JsonObject vm)
    {
        string uuid = VmJson.AsString(vm["uuid"])!;
        string brand = VmJson.AsString(vm["brand"]) ?? VmBrand.Default;
        long? tmpfs = VmJson.TryGetInteger(vm["tmpfs"], out long t) && t > 0 ? t << 20 : null;
        bool joyent = brand != "lx";
        string? initName = VmJson.AsString(vm["init_name"]);
        return new ZoneRuntimeSpec
        {
            Uuid = uuid,
            Brand = brand switch { "lx" => ZoneBrand.Lx, "joyent-minimal" => ZoneBrand.JoyentMinimal, _ => ZoneBrand.Joyent },
            Hostname = VmJson.AsString(vm["hostname"]) ?? uuid,
            DnsDomain = VmJson.AsString(vm["dns_domain"]) ?? "local",
            RootfsPath = Path.Combine((runtimeZonePath ?? zonePath)(uuid), "root"),
            InitName = initName,
            Terminal = true,
            NetworkNamespacePath = networkNamespace?.Invoke(uuid),
            SeccompListenerPath = statfsAgent?.SocketPath,
            InitArgv = joyent && initName is null ? ["/bin/sh", PlatformFiles.ZoneInit] : null,
            SystemdInit = !joyent && !(VmJson.TryGetBoolean(vm["docker"], out bool docker) && docker)
                && ZoneInit.IsSystemd(Path.Combine(zonePath(uuid), "root"), initName ?? ZoneRuntimeSpec.DefaultInit),
            BindMounts =
            [
                new ZoneBindMount(_platform, PlatformFiles.MountPoint, ReadOnly: true),
                new ZoneBindMount(Path.Combine(runDirectory, "zonecontrol", uuid), Solstice.Metadata.MetadataPaths.GuestZoneControlDirectory(brand), ReadOnly: true),
            ],
            Environment = new Dictionary<string, string>
            {
                ["PATH"] = (joyent ? RuntimeSpecBuilder.JoyentPath : RuntimeSpecBuilder.DefaultPath) + ":" + PlatformFiles.ToolDirectory,
            },
            Limits = LimitsOf(vm),
            TmpfsBytes = tmpfs,
            RawNetworkAccess = ZonePrivileges.Grants(VmJson.AsString(vm["limit_priv"]), ZonePrivileges.NetRawAccess),
        };
    }

    private static ZoneResourceLimits LimitsOf(JsonObject vm)
    {
        long? Mib(string key) => VmJson.TryGetInteger(vm[key], out long v) && v > 0 ? v << 20 : null;
        int? Int(string key) => VmJson.TryGetInteger(vm[key], out long v) ? (int)v : null;
        return new ZoneResourceLimits
        {
            MaxPhysicalMemoryBytes = Mib("max_physical_memory"),
            MaxSwapBytes = Mib("max_swap"),
            MaxLockedMemoryBytes = Mib("max_locked_memory"),
            CpuCap = Int("cpu_cap") ?? 0,
            CpuShares = Int("cpu_shares"),
            MaxLwps = Int("max_lwps"),
            ZfsIoPriority = Int("zfs_io_priority"),
        };
    }

    /// <summary>When the process started, from /proc/&lt;pid&gt;/stat's start time in clock ticks since boot.</summary>
    private static DateTimeOffset? StartedAt(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            return DateTimeOffset.UtcNow - TimeSpan.FromSeconds(uptime) + TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
