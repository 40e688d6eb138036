using System.Runtime.InteropServices;
using Solstice.Core;
using Solstice.Core.Protocol;
using Solstice.Instances;
using Solstice.Instances.Hvm;
using Solstice.Instances.Oci;
using Solstice.Instances.Zones;
using Solstice.Linux;
using Solstice.Storage;

namespace Solstice.Node;

/// <summary>
/// solsticed, the node daemon: imports the pools, recovers VM state, and serves the CLIs on a
/// root-only unix socket until SIGTERM. Zones are not children that die with it: stopping,
/// killing or replacing the daemon leaves them running, and the next start re-adopts them.
/// </summary>
public static class Program
{
    private const string Usage = "usage: solsticed [--config <node.json>] [--socket <path>] [--run-dir <dir>]";

    /// <summary>
    /// Test hook: the daemon opens and keeps this many descriptors at start, as some 350 running
    /// zones would, so a test can show that nft work survives a descriptor table past FD_SETSIZE.
    /// </summary>
    public const string HoldDescriptorsVariable = "SOLSTICED_TEST_HOLD_FDS";

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "fd-holder")
            return FdHolder.Serve(args[1]);
        if (args.Length == 2 && args[0] == "statfs-agent")
            return Solstice.Instances.Statfs.StatfsAgent.Serve(args[1]);
        // Requests above lifecycle work and its children (runc, btrfs, ip, nft): first, so every
        // thread the runtime makes later inherits it (WorkPriority, docs/benchmarks.md).
        WorkPriority.BoostRequests();
        // Socket completions run on the runtime's event thread instead of hopping to the thread
        // pool: it halves the CPU of a metadata request and its latency (docs/metadata.md). It
        // must be set before the first socket operation, and nothing may block in a socket
        // continuation: NodeServer runs its handlers on the pool, metadata PUTs go through
        // VmService's locks on the pool, console writes are non-blocking.
        Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        string? configPath = null, socket = null, runDir = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--config": configPath = Next(); break;
                case "--socket": socket = Next(); break;
                case "--run-dir": runDir = Next(); break;
                case "-h" or "--help": Console.Out.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine(Usage); return ExitCodes.Usage;
            }
        }
        try
        {
            return RunAsync(NodeConfig.Load(configPath), socket, runDir).GetAwaiter().GetResult();
        }
        catch (SolsticeException ex)
        {
            Console.Error.WriteLine($"solsticed: {ex.Message}");
            return ExitCodes.Error;
        }
    }

    private static async Task<int> RunAsync(NodeConfig config, string? socketOverride, string? runDirOverride)
    {
        string runDir = runDirOverride ?? config.StateDir ?? "/run/solstice";
        string socket = NodeProtocol.SocketPath(socketOverride, config.Socket);
        Directory.CreateDirectory(runDir);
        // Bundles, consoles' fd holder, netns files, metadata sockets: root's alone (zones see what
        // they are lent through their own mounts, whatever the host path's modes).
        File.SetUnixFileMode(runDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // runc sets each zone's RLIMIT_MEMLOCK (max_locked_memory) in init after capabilities are
        // dropped, so it can only lower the hard limit it inherits: lift ours to unlimited first.
        // Without CAP_SYS_RESOURCE (some sandboxes) this fails and zones get at most our hard limit.
        Linux.Interop.Rlimits.TrySet(Linux.Interop.Rlimits.MemLock, Linux.Interop.Rlimits.Infinity, Linux.Interop.Rlimits.Infinity);
        // About four descriptors per running zone plus clients and metadata connections: 2,000
        // zones need some 10,000; the unit grants 1048576. Where the hard limit cannot be raised,
        // the soft one goes up to it.
        if (!Linux.Interop.Rlimits.TrySet(Linux.Interop.Rlimits.NoFile, 1 << 20, 1 << 20))
        {
            ulong hard = Linux.Interop.Rlimits.Hard(Linux.Interop.Rlimits.NoFile);
            Linux.Interop.Rlimits.TrySet(Linux.Interop.Rlimits.NoFile, hard, hard);
        }
        HoldDescriptors(Environment.GetEnvironmentVariable(HoldDescriptorsVariable));
        string bootMarker = Path.Combine(runDir, "booted");
        bool nodeBoot = !File.Exists(bootMarker);

        var pools = config.Pools.Select(PoolManager.Default.Import).ToList();
        var pool = pools[0];
        var repository = new VmRepository(pool.PathOf(pool.Root.Child("config")));
        var choice = new RuntimeDetector().Detect(Environment.GetEnvironmentVariable(RuntimeDetector.OverrideVariable));
        using var sealedRuntime = SealedRuntimeCopy(choice);
        var oci = OciRuntime.Create(choice, ProcessCommandRunner.Instance, Path.Combine(runDir, choice.Kind.ToString().ToLowerInvariant()), sealedRuntime);
        var network = new NodeNetwork(
            Path.Combine(Path.GetDirectoryName(config.SourcePath!)!, "network.json"), runDir, pool.PathOf(pool.Root.Child("config")) + "/fw");
        // df in a zone shows its quota (docs/security.md); only btrfs pools have quotas to show.
        var statfsAgent = pool.Driver.Info.Quotas ? new Solstice.Instances.Statfs.StatfsAgentClient(Path.Combine(runDir, Solstice.Instances.Statfs.StatfsAgent.SocketName)) : null;
        statfsAgent?.EnsureRunning();
        repository.Observe(network.OnVmChanged);
        var zones = new OciZoneRuntime(oci, OciHostFeatures.Detect(), runDir, uuid => pool.PathOf(pool.Root.Child(uuid)), network.NamespaceOf,
            image => Solstice.Images.Docker.DockerRuntimeConfig.Of(new Solstice.Images.ImageStore(pool), image),
            runtimeZonePath: uuid => pool.RuntimePathOf(pool.Root.Child(uuid)),
            consoleLog: uuid => ConsoleLog.For(pool.PathOf(pool.Root.Child("config")), uuid), statfsAgent: statfsAgent);
        using var supervisor = new Supervisor();
        var events = new EventHub();
        using var consoles = new ConsoleHub();
        var fdHolder = new FdHolderClient(Path.Combine(runDir, "fdholder.sock"));
        fdHolder.EnsureRunning();
        await using var metadata = new MetadataHost(runDir, MetadataLimitsOf(config.Metadata));
        var vms = new VmService(pool, repository, new InstanceDrivers([zones, new HvmDriver()]), supervisor, events, NodeFacts.Read(), consoles, fdHolder, metadata, network);

        WorkPriority.AsLifecycle(() => vms.Recover(nodeBoot));
        // The fault-injection tests' crash points count from here (docs/zones.md).
        CrashPoint.Arm();
        AtomicFile.WriteText(bootMarker, DateTimeOffset.UtcNow.ToString("O"));

        using var stop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var server = new NodeServer(socket, new NodeApi(vms, events, network).Handlers);
        server.Start();
        Console.Error.WriteLine($"solsticed: serving {socket}; pool {pool.Name} at {pool.MountPoint}; runtime {choice.Kind} ({choice.Reason}); {vms.All().Count} VMs, {vms.RunningCount} running");
        await server.RunAsync(stop.Token);
        Console.Error.WriteLine("solsticed: stopping; zones keep running");
        return 0;
    }

    /// <summary>
    /// A sealed in-memory copy of runc to run it from (docs/oci.md); null for crun, or when the copy
    /// fails (old kernel, unreadable binary): runc then runs from its file and copies itself as usual.
    /// </summary>
    private static SealedExecutable? SealedRuntimeCopy(OciRuntimeChoice choice)
    {
        if (choice.Kind != OciRuntimeKind.Runc)
            return null;
        try
        {
            return SealedExecutable.Create(choice.BinaryPath);
        }
        catch (SolsticeException ex)
        {
            Console.Error.WriteLine($"solsticed: running runc from {choice.BinaryPath}: {ex.Message}");
            return null;
        }
    }

    private static void HoldDescriptors(string? count)
    {
        if (!int.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out int n))
            return;
        for (int i = 0; i < n; i++)
        {
            if (Linux.Interop.Libc.Open("/dev/null", Linux.Interop.Libc.ORdOnly | Linux.Interop.Libc.OCloexec, 0) < 0)
                throw Linux.Interop.SyscallException.Last($"{HoldDescriptorsVariable}: open /dev/null");
        }
    }

    /// <summary>The node config's metadata section over the defaults.</summary>
    internal static Solstice.Metadata.MetadataLimits MetadataLimitsOf(MetadataConfig? config)
    {
        var limits = Solstice.Metadata.MetadataLimits.Default;
        if (config is null)
            return limits;
        return limits with
        {
            RequestsPerSecond = config.RequestsPerSecond ?? limits.RequestsPerSecond,
            Burst = config.Burst ?? limits.Burst,
            MaxValueBytes = config.MaxValueBytes ?? limits.MaxValueBytes,
            MaxConnections = config.MaxConnections ?? limits.MaxConnections,
            MaxTotalBytes = config.MaxTotalBytes ?? limits.MaxTotalBytes,
        };
    }
}
