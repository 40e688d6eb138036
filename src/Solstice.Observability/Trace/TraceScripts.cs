namespace Solstice.Observability.Trace;

/// <summary>The ready programs of `solstice trace -s NAME`: DTrace's everyday one-liners, by zone. Tracepoints and profile probes only (this kernel has no kprobes).</summary>
public static class TraceScripts
{
    public static IReadOnlyDictionary<string, (string Description, string Program)> All { get; } = new Dictionary<string, (string, string)>
    {
        ["syscalls"] = ("system calls by zone", """
            tracepoint:raw_syscalls:sys_enter { @syscalls[zonename] = count(); }
            """),
        ["execsnoop"] = ("every exec, with its zone", """
            BEGIN { printf("%-36s %-7s %s\n", "ZONE", "PID", "PATH"); }
            tracepoint:syscalls:sys_enter_execve { printf("%-36s %-7d %s\n", zonename, pid, str(args->filename)); }
            """),
        ["opensnoop"] = ("every open, with its zone", """
            BEGIN { printf("%-36s %-7s %-16s %s\n", "ZONE", "PID", "COMM", "PATH"); }
            tracepoint:syscalls:sys_enter_openat { printf("%-36s %-7d %-16s %s\n", zonename, pid, comm, str(args->filename)); }
            """),
        ["cpuprofile"] = ("on-CPU samples at 99 Hz by zone and command", """
            profile:hz:99 { @samples[zonename, comm] = count(); }
            """),
        ["oomkill"] = ("OOM kills, with the zone of the task that triggered them", """
            tracepoint:oom:mark_victim { printf("%s: OOM victim pid %d\n", zonename, args->pid); @oomkills[zonename] = count(); }
            """),
        ["biolatency"] = ("block I/O latency histograms by zone (µs)", """
            tracepoint:block:block_rq_issue { @__start[args->dev, args->sector] = nsecs; @__zone[args->dev, args->sector] = zonename; }
            tracepoint:block:block_rq_complete /@__start[args->dev, args->sector]/
            {
                @usecs[@__zone[args->dev, args->sector]] = hist((nsecs - @__start[args->dev, args->sector]) / 1000);
                delete(@__start[args->dev, args->sector]);
                delete(@__zone[args->dev, args->sector]);
            }
            END { clear(@__start); clear(@__zone); }
            """),
    };
}
