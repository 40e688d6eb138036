using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

public static partial class RuntimeSpecBuilder
{
    /// <summary>
    /// The zone's capability set: the Linux counterpart of SmartOS's limit_priv "default" for OS zones
    /// (file_chown, file_dac_*, file_owner, file_setid, proc_setid, proc_owner, proc_chroot, net_privaddr,
    /// net_icmpaccess/net_rawaccess, proc_audit), without anything that reaches past the zone's
    /// namespaces and cgroups. Notably absent: SYS_ADMIN (Linux folds mount, namespaces and dozens of
    /// host-wide knobs into it), SYS_MODULE, SYS_RAWIO, SYS_TIME, SYS_PTRACE, SYS_RESOURCE (would
    /// bypass our rlimits), SYS_NICE, IPC_LOCK (max_locked_memory is the limit), NET_ADMIN,
    /// DAC_READ_SEARCH (open_by_handle_at escapes), SYSLOG, MAC_ADMIN, MAC_OVERRIDE, BPF, PERFMON,
    /// LINUX_IMMUTABLE, SYS_PACCT, WAKE_ALARM, BLOCK_SUSPEND, CHECKPOINT_RESTORE.
    /// MKNOD is kept because the device cgroup only lets the zone open its allow-listed nodes (package
    /// installs create device nodes); NET_RAW is kept for ping, the zone having its own network namespace
    /// (spoofing is the firewall's concern, as allow_ip_spoofing is on SmartOS).
    /// SYS_BOOT is granted only inside a user namespace: there reboot(2) can only end the zone's own pid
    /// namespace (reboot_pid_ns), while in the initial user namespace the same capability also permits
    /// kexec_load, leaving seccomp as the only barrier.
    /// </summary>
    public static IReadOnlyList<string> Capabilities(ZoneRuntimeSpec spec)
    {
        var caps = new List<string>
        {
            "CAP_AUDIT_WRITE",
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FOWNER",
            "CAP_FSETID",
            "CAP_KILL",
            "CAP_MKNOD",
            "CAP_NET_BIND_SERVICE",
            "CAP_NET_RAW",
            "CAP_SETFCAP",
            "CAP_SETGID",
            "CAP_SETPCAP",
            "CAP_SETUID",
            "CAP_SYS_CHROOT",
        };
        if (spec.UserNamespace is not null)
            caps.Add("CAP_SYS_BOOT");
        caps.Sort(StringComparer.Ordinal);
        return caps;
    }

    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi",
        "/proc/interrupts",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/sys/devices/virtual/powercap",
        "/sys/firmware",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/asound",
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
    ];

    private const long DefaultLockedMemory = 8L << 20;
    private const long FileDescriptors = 65536;

    /// <summary>
    /// RLIMIT_NOFILE 65536 (SmartOS's zone default for process.max-file-descriptor) and RLIMIT_MEMLOCK from
    /// max_locked_memory, which vmadm defaults to and clamps at max_physical_memory; 8 MiB (the kernel's
    /// default) when neither is set. Rlimits are fixed at create: a live update can't change init's.
    /// Each is lowered to the host's ceiling when it has one (OciHostFeatures.RlimitCeiling).
    /// </summary>
    private static JsonArray Rlimits(ZoneResourceLimits limits, OciHostFeatures host)
    {
        long locked = limits.MaxLockedMemoryBytes ?? limits.MaxPhysicalMemoryBytes ?? DefaultLockedMemory;
        if (limits.MaxPhysicalMemoryBytes is long physical)
            locked = Math.Min(locked, physical);
        return new JsonArray(
            Rlimit("RLIMIT_MEMLOCK", locked, host),
            Rlimit("RLIMIT_NOFILE", FileDescriptors, host));
    }

    private static JsonObject Rlimit(string type, long value, OciHostFeatures host)
    {
        if (host.RlimitCeiling?.TryGetValue(type, out long ceiling) == true)
            value = Math.Min(value, ceiling);
        return new() { ["type"] = type, ["hard"] = value, ["soft"] = value };
    }

    private static readonly (string Path, int Major, int Minor)[] s_deviceNodes =
    [
        ("/dev/null", 1, 3),
        ("/dev/zero", 1, 5),
        ("/dev/full", 1, 7),
        ("/dev/random", 1, 8),
        ("/dev/urandom", 1, 9),
        ("/dev/tty", 5, 0),
    ];

    /// <summary>
    /// Device nodes for the zone's /dev. /dev/console (5:1, the pty when terminal is true) and /dev/ptmx
    /// (a link to pts/ptmx) are made by the runtime itself, so they appear only in the cgroup rules.
    /// </summary>
    private static JsonArray Devices()
    {
        var devices = new JsonArray();
        foreach (var (path, major, minor) in s_deviceNodes)
        {
            devices.Append(new JsonObject
            {
                ["path"] = path,
                ["type"] = "c",
                ["major"] = major,
                ["minor"] = minor,
                ["fileMode"] = 438,
                ["uid"] = 0,
                ["gid"] = 0,
            });
        }
        return devices;
    }

    /// <summary>
    /// Deny everything, then allow the nodes above plus console, ptmx and every pts (major 136). mknod of
    /// any node stays allowed ("m"): creating one is harmless when opening it is refused.
    /// </summary>
    private static JsonArray DeviceRules()
    {
        var rules = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" });
        rules.Append(new JsonObject { ["allow"] = true, ["type"] = "c", ["access"] = "m" });
        rules.Append(new JsonObject { ["allow"] = true, ["type"] = "b", ["access"] = "m" });
        foreach (var (_, major, minor) in s_deviceNodes)
            rules.Append(DeviceRule(major, minor));
        rules.Append(DeviceRule(5, 1));
        rules.Append(DeviceRule(5, 2));
        rules.Append(DeviceRule(136, null));
        return rules;
    }

    private static JsonObject DeviceRule(int major, int? minor)
    {
        var rule = new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = major };
        if (minor is int m)
            rule["minor"] = m;
        rule["access"] = "rwm";
        return rule;
    }
}
