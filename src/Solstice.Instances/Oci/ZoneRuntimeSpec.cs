using System.Text.RegularExpressions;

namespace Solstice.Instances.Oci;

/// <summary>
/// Desired runtime shape of one OS container (zone): the input of RuntimeSpecBuilder. Values use vmadm's
/// meanings (smartos-interfaces.md §1, §2); the builder maps them to OCI and cgroup terms.
/// </summary>
public sealed partial record ZoneRuntimeSpec
{
    public const string DefaultInit = "/sbin/init";

    /// <summary>The zone's uuid (lowercase, 8-4-4-4-12).</summary>
    public required string Uuid { get; init; }

    public required ZoneBrand Brand { get; init; }

    public required string Hostname { get; init; }

    /// <summary>dns_domain; vmadm's default is "local".</summary>
    public string DnsDomain { get; init; } = "local";

    /// <summary>The zone's root directory on the host, e.g. /zones/&lt;uuid&gt;/root.</summary>
    public required string RootfsPath { get; init; }

    /// <summary>init_name: the init program, started without arguments. Ignored when InitArgv is set.</summary>
    public string? InitName { get; init; }

    /// <summary>Full init argv, overriding InitName (for tests and docker-style zones).</summary>
    public IReadOnlyList<string>? InitArgv { get; init; }

    /// <summary>Extra environment of init; a key here replaces the builder's default (PATH, TERM).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Give init a pty (runc then needs a console socket) instead of the runtime's stdio.</summary>
    public bool Terminal { get; init; }

    public ZoneResourceLimits Limits { get; init; } = new();

    /// <summary>tmpfs: size of a tmpfs /tmp in bytes; null or 0 for none (vmadm's default is max_physical_memory).</summary>
    public long? TmpfsBytes { get; init; }

    /// <summary>Host paths to bind into the zone, mounted after everything else, in this order.</summary>
    public IReadOnlyList<ZoneBindMount> BindMounts { get; init; } = [];

    /// <summary>
    /// Absolute cgroupfs path, the same below every controller; null means /solstice/&lt;uuid&gt;. runc's
    /// cgroupfs driver (the one used without --systemd-cgroup) takes it as is on v1, hybrid and v2 hosts.
    /// </summary>
    public string? CgroupsPath { get; init; }

    /// <summary>Join this network namespace (e.g. /run/netns/&lt;uuid&gt;); null gives a new one with only lo.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>
    /// limit_priv's net_rawaccess: link-layer sockets (AF_PACKET, and AF_INET SOCK_PACKET, which the
    /// kernel turns into one) and raw IP sockets of any protocol. SmartOS's "default" set has it for
    /// exclusive-IP zones, which all vmadm zones are; without it a zone keeps ICMP raw sockets only
    /// (net_icmpaccess: ping). See ZonePrivileges.
    /// </summary>
    public bool RawNetworkAccess { get; init; } = true;

    /// <summary>
    /// Init is systemd (an lx image's own /sbin/init): the builder adds what systemd needs to be a
    /// zone's PID 1 (RuntimeSpecBuilder.Systemd.cs) and names SIGRTMIN+3 as the stop signal.
    /// </summary>
    public bool SystemdInit { get; init; }

    /// <summary>Run the zone in a user namespace with this mapping; null keeps host ids.</summary>
    public ZoneIdMapping? UserNamespace { get; init; }

    /// <summary>
    /// The statfs agent's socket (Statfs/StatfsAgent.cs): when set, the seccomp profile hands the
    /// zone's statfs(2) and fstatfs(2) to that agent, which answers for the zone's own dataset from
    /// its quota (what df shows on SmartOS). Null leaves both syscalls to the kernel.
    /// </summary>
    public string? SeccompListenerPath { get; init; }

    public IReadOnlyList<string> EffectiveInitArgv => InitArgv ?? [InitName ?? DefaultInit];

    public string EffectiveCgroupsPath => CgroupsPath ?? $"/solstice/{Uuid}";

    /// <summary>Every problem with this spec, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Guid.TryParseExact(Uuid, "D", out _) || Uuid != Uuid.ToLowerInvariant())
            problems.Add($"uuid '{Uuid}' is not a lowercase uuid");
        if (!IsHostname(Hostname) || Hostname.Length > 63)
            problems.Add($"hostname '{Hostname}' is not a valid host name");
        if (DnsDomain.Length > 0 && (!IsHostname(DnsDomain) || DnsDomain.Length > 253))
            problems.Add($"dns_domain '{DnsDomain}' is not a valid domain");
        if (!IsCleanAbsolute(RootfsPath))
            problems.Add($"root path '{RootfsPath}' is not a clean absolute path");
        var init = EffectiveInitArgv;
        if (init.Count == 0 || !init[0].StartsWith('/'))
            problems.Add("init must be an absolute path");
        foreach (string key in Environment.Keys)
        {
            if (key.Length == 0 || key.Contains('=') || key.Contains('\0'))
                problems.Add($"environment name '{key}' is invalid");
        }
        if (!CgroupsPathPattern().IsMatch(EffectiveCgroupsPath) || EffectiveCgroupsPath.Split('/').Any(p => p is "." or ".."))
            problems.Add($"cgroups path '{EffectiveCgroupsPath}' must be absolute and use only [A-Za-z0-9._-] components");
        if (NetworkNamespacePath is { } netns && !IsCleanAbsolute(netns))
            problems.Add($"network namespace path '{netns}' is not a clean absolute path");
        foreach (var mount in BindMounts)
        {
            if (!IsCleanAbsolute(mount.Source))
                problems.Add($"bind mount source '{mount.Source}' is not a clean absolute path");
            if (!IsCleanAbsolute(mount.Destination) || mount.Destination == "/")
                problems.Add($"bind mount destination '{mount.Destination}' is not a clean absolute path below /");
        }
        if (SeccompListenerPath is { } listener && !IsCleanAbsolute(listener))
            problems.Add($"seccomp listener path '{listener}' is not a clean absolute path");
        if (UserNamespace is { Size: 0 })
            problems.Add("user namespace mapping size must be positive");
        if (TmpfsBytes < 0)
            problems.Add("tmpfs size must not be negative");
        ValidateLimits(Limits, problems);
        return problems;
    }

    private static void ValidateLimits(ZoneResourceLimits limits, List<string> problems)
    {
        if (limits.MaxPhysicalMemoryBytes <= 0)
            problems.Add("max_physical_memory must be positive");
        if (limits.MaxSwapBytes <= 0)
            problems.Add("max_swap must be positive");
        if (limits.MaxLockedMemoryBytes < 0)
            problems.Add("max_locked_memory must not be negative");
        if (limits.CpuCap < 0)
            problems.Add("cpu_cap must not be negative");
        if (limits.CpuShares is < 1 or > 65535)
            problems.Add("cpu_shares must be between 1 and 65535");
        if (limits.MaxLwps <= 0)
            problems.Add("max_lwps must be positive");
        if (limits.ZfsIoPriority <= 0)
            problems.Add("zfs_io_priority must be positive");
    }

    private static bool IsHostname(string name) =>
        name.Length > 0 && name.Split('.').All(label => HostLabelPattern().IsMatch(label));

    private static bool IsCleanAbsolute(string path) =>
        path.StartsWith('/') && !path.Contains('\0') && !path.Contains("//") && (path == "/" || !path.EndsWith('/'))
        && !path.Split('/').Any(p => p is "." or "..");

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostLabelPattern();

    [GeneratedRegex("^(/[A-Za-z0-9._-]+)+$")]
    private static partial Regex CgroupsPathPattern();
}
