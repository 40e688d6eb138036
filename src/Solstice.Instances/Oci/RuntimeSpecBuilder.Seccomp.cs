using System.Text.Json.Nodes;

namespace Solstice.Instances.Oci;

public static partial class RuntimeSpecBuilder
{
    private const int EPerm = 1;
    private const int ENoSys = 38;

    /// <summary>
    /// Syscalls refused with EPERM. The profile is a deny list over a default of allow: the capability set
    /// is the primary barrier (most of these need a capability the zone lacks anyway), and the filter
    /// removes kernel surface that capabilities don't gate or gate too coarsely. An allow list (Docker's
    /// approach) is stricter but breaks zones on every syscall newer than the list.
    /// ptrace, process_vm_* and kcmp stay allowed: without CAP_SYS_PTRACE they reach only the zone's own
    /// same-uid processes, all inside its pid namespace. mbind, set_mempolicy and move_pages stay allowed:
    /// moving other users' pages needs CAP_SYS_NICE. adjtimex and clock_adjtime are refused outright
    /// because their read-only form can't be told apart by a filter (the mode sits in a struct).
    /// </summary>
    public static readonly IReadOnlyList<string> DeniedSyscalls =
    [
        "acct",
        "add_key",
        "adjtimex",
        "bpf",
        "clock_adjtime",
        "clock_settime",
        "delete_module",
        "finit_module",
        "fsconfig",
        "fsmount",
        "fsopen",
        "fspick",
        "init_module",
        "io_uring_enter",
        "io_uring_register",
        "io_uring_setup",
        "ioperm",
        "iopl",
        "kexec_file_load",
        "kexec_load",
        "keyctl",
        "lookup_dcookie",
        "mount",
        "mount_setattr",
        "move_mount",
        "name_to_handle_at",
        "open_by_handle_at",
        "open_tree",
        "perf_event_open",
        "pivot_root",
        "quotactl",
        "quotactl_fd",
        "request_key",
        "setns",
        "settimeofday",
        "stime",
        "swapoff",
        "swapon",
        "syslog",
        "umount",
        "umount2",
        "uselib",
        "userfaultfd",
        "vm86",
        "vm86old",
    ];

    // include/uapi/linux/sched.h. CLONE_NEWTIME shares its bit with clone(2)'s exit-signal byte, so it
    // is only checked for unshare(2).
    private static readonly (string Name, ulong Flag)[] s_namespaceFlags =
    [
        ("CLONE_NEWNS", 0x00020000),
        ("CLONE_NEWCGROUP", 0x02000000),
        ("CLONE_NEWUTS", 0x04000000),
        ("CLONE_NEWIPC", 0x08000000),
        ("CLONE_NEWUSER", 0x10000000),
        ("CLONE_NEWPID", 0x20000000),
        ("CLONE_NEWNET", 0x40000000),
    ];

    private const ulong CloneNewTime = 0x00000080;

    // include/uapi/linux/personality.h: persona bits that weaken the zone's own processes (executable
    // data, no ASLR, a mapped page zero), refused as Docker does. 0xffffffff is the query form and has
    // bit 31 set, which no persona uses, so each rule also demands bit 31 clear.
    private static readonly ulong[] s_unsafePersonality = [0x0040000, 0x0100000, 0x0400000];
    private const ulong PersonalityQueryBit = 0x80000000;

    // include/linux/socket.h, include/linux/net.h, include/uapi/linux/in.h
    private const ulong AfInet = 2;
    private const ulong AfInet6 = 10;
    private const ulong AfPacket = 17;
    private const ulong AfVsock = 40;
    private const ulong SockRaw = 3;
    private const ulong SockPacket = 10;
    private const ulong SockTypeMask = 0xf;
    private const ulong IpProtoIcmp = 1;
    private const ulong IpProtoIcmpV6 = 58;

    /// <summary>
    /// socket(2) rules. AF_VSOCK is refused in every zone: vsock is not namespaced, so a zone's socket
    /// would reach the hypervisor side of a host that runs in a VM, and its first use loads host
    /// modules; SmartOS has no such family. Without net_rawaccess (ZoneRuntimeSpec.RawNetworkAccess),
    /// link-layer sockets (AF_PACKET; AF_INET with SOCK_PACKET, which the kernel turns into one) and raw
    /// IP sockets other than ICMP are refused too; ping keeps working. Conditions in one rule all hold
    /// (AND); the type is masked because SOCK_NONBLOCK and SOCK_CLOEXEC share its argument.
    /// </summary>
    private static IEnumerable<JsonObject> SocketRules(ZoneRuntimeSpec spec)
    {
        yield return ArgsRule("socket", EPerm, Eq(0, AfVsock));
        if (spec.RawNetworkAccess)
            yield break;
        yield return ArgsRule("socket", EPerm, Eq(0, AfPacket));
        yield return ArgsRule("socket", EPerm, Eq(0, AfInet), MaskedEq(1, SockTypeMask, SockPacket));
        yield return ArgsRule("socket", EPerm, Eq(0, AfInet), MaskedEq(1, SockTypeMask, SockRaw), Ne(2, IpProtoIcmp));
        yield return ArgsRule("socket", EPerm, Eq(0, AfInet6), MaskedEq(1, SockTypeMask, SockRaw), Ne(2, IpProtoIcmpV6));
    }

    private static JsonObject Seccomp(ZoneRuntimeSpec spec)
    {
        // Outside a user namespace the zone lacks CAP_SYS_BOOT and reboot(2) fails anyway; refusing it here
        // too keeps that so if a caller widens the capability set. Inside one, reboot ends only the zone
        // (its pid namespace), which is how a zone reboots itself, so it is allowed.
        var denied = DeniedSyscalls.ToList();
        if (spec.UserNamespace is null)
            denied.Add("reboot");
        denied.Sort(StringComparer.Ordinal);

        var rules = new JsonArray(
            new JsonObject { ["names"] = Strings(denied), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = EPerm },
            // clone3 passes its flags in a struct no filter can read. ENOSYS makes glibc fall back to
            // clone(2), whose flags the rules below do check.
            new JsonObject { ["names"] = Strings(["clone3"]), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = ENoSys });
        // A zone must not create namespaces: a new user namespace would hand it a full capability set
        // (mount, etc.) over the objects it owns there. One rule per flag: MASKED_EQ with value = mask
        // and valueTwo = the flag matches when that bit is set, whatever else is.
        foreach (var (_, flag) in s_namespaceFlags)
            rules.Append(MaskedRule("clone", 0, flag, flag, EPerm));
        foreach (var (_, flag) in s_namespaceFlags)
            rules.Append(MaskedRule("unshare", 0, flag, flag, EPerm));
        rules.Append(MaskedRule("unshare", 0, CloneNewTime, CloneNewTime, EPerm));
        foreach (ulong persona in s_unsafePersonality)
            rules.Append(MaskedRule("personality", 0, persona | PersonalityQueryBit, persona, EPerm));
        foreach (var rule in SocketRules(spec))
            rules.Append(rule);

        var seccomp = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = Strings(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
        };
        if (spec.SeccompListenerPath is { } listener)
        {
            // df shows the zone's quota, as on SmartOS: runc hands the filter's listener to the statfs
            // agent, which answers for the zone's own dataset and lets the kernel run every other call
            // (docs/security.md). The i386 and x32 forms reach the agent too and are let through.
            rules.Append(new JsonObject { ["names"] = Strings(StatfsSyscalls), ["action"] = "SCMP_ACT_NOTIFY" });
            seccomp["listenerPath"] = listener;
            seccomp["listenerMetadata"] = spec.Uuid;
        }
        seccomp["syscalls"] = rules;
        return seccomp;
    }

    /// <summary>The syscalls a zone's seccomp listener receives (the 64-bit forms; statfs64 exists only for 32-bit callers).</summary>
    public static readonly IReadOnlyList<string> StatfsSyscalls = ["fstatfs", "statfs"];

    private static JsonObject MaskedRule(string syscall, int index, ulong mask, ulong value, int errno) =>
        ArgsRule(syscall, errno, MaskedEq(index, mask, value));

    private static JsonObject ArgsRule(string syscall, int errno, params JsonObject[] args) => new()
    {
        ["names"] = Strings([syscall]),
        ["action"] = "SCMP_ACT_ERRNO",
        ["errnoRet"] = errno,
        ["args"] = new JsonArray(args),
    };

    // MASKED_EQ: (arg & value) == valueTwo.
    private static JsonObject MaskedEq(int index, ulong mask, ulong value) => new()
    {
        ["index"] = index,
        ["value"] = mask,
        ["valueTwo"] = value,
        ["op"] = "SCMP_CMP_MASKED_EQ",
    };

    private static JsonObject Eq(int index, ulong value) => new() { ["index"] = index, ["value"] = value, ["op"] = "SCMP_CMP_EQ" };

    private static JsonObject Ne(int index, ulong value) => new() { ["index"] = index, ["value"] = value, ["op"] = "SCMP_CMP_NE" };
}
