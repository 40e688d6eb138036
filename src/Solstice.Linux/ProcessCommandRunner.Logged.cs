using System.Runtime.InteropServices;
using Solstice.Core;
using Solstice.Linux.Interop;

namespace Solstice.Linux;

public sealed partial class ProcessCommandRunner
{
    private const int LogTailBytes = 64 * 1024;

    // System.Diagnostics.Process can only give a child pipes or our own stdio. A pipe would stay open as
    // long as any descendant holds it (runc's container init does), so the child is started with
    // posix_spawn and file actions instead. .NET reaps only the children it started itself (unless
    // SIGCHLD was inherited as ignored), so waitpid here sees this child's status.
    public unsafe CommandResult RunLogged(IReadOnlyList<string> argv, string logPath)
    {
        ArgumentOutOfRangeException.ThrowIfZero(argv.Count);
        string fullLog = Path.GetFullPath(logPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullLog)!);
        long start = File.Exists(fullLog) ? new FileInfo(fullLog).Length : 0;

        var strings = new List<nint>();
        byte* actions = stackalloc byte[Libc.SpawnFileActionsSize];
        byte* attr = stackalloc byte[Libc.SpawnAttrSize];
        byte* allSignals = stackalloc byte[Libc.SigSetSize];
        byte* noSignals = stackalloc byte[Libc.SigSetSize];
        Libc.PosixSpawnFileActionsInit(actions);
        Libc.PosixSpawnAttrInit(attr);
        int pid;
        try
        {
            Check(Libc.PosixSpawnFileActionsAddOpen(actions, 0, "/dev/null", Libc.ORdOnly, 0), "addopen /dev/null");
            Check(Libc.PosixSpawnFileActionsAddOpen(actions, 1, fullLog, Libc.OWrOnly | Libc.OCreat | Libc.OAppend, 0x180 /* 0600: logs hold what tenants print */), $"addopen {fullLog}");
            Check(Libc.PosixSpawnFileActionsAddDup2(actions, 1, 2), "adddup2");
            // The runtime ignores SIGPIPE; an ignored disposition survives exec and would reach the container.
            Libc.SigFillSet(allSignals);
            Libc.SigEmptySet(noSignals);
            Check(Libc.PosixSpawnAttrSetSigDefault(attr, allSignals), "setsigdefault");
            Check(Libc.PosixSpawnAttrSetSigMask(attr, noSignals), "setsigmask");
            // A new session keeps a terminal's ^C or hangup for the caller away from the child and its container.
            Check(Libc.PosixSpawnAttrSetFlags(attr, Libc.PosixSpawnSetSigDef | Libc.PosixSpawnSetSigMask | Libc.PosixSpawnSetSid), "setflags");

            byte** argvPtr = stackalloc byte*[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++)
                argvPtr[i] = Utf8(argv[i], strings);
            argvPtr[argv.Count] = null;
            var environment = System.Environment.GetEnvironmentVariables();
            var envp = new byte*[environment.Count + 1];
            int n = 0;
            foreach (System.Collections.DictionaryEntry entry in environment)
                envp[n++] = Utf8($"{entry.Key}={entry.Value}", strings);
            envp[n] = null;

            int spawned;
            fixed (byte** envPtr = envp)
            {
                int error = Libc.PosixSpawnp(&spawned, argv[0], actions, attr, argvPtr, envPtr);
                if (error != 0)
                    throw new SolsticeException(ErrorCode.Unavailable,
                        $"cannot run '{argv[0]}': {Libc.Describe(error)} (is it installed?)", new SyscallException("posix_spawnp", error));
            }
            pid = spawned;
        }
        finally
        {
            Libc.PosixSpawnFileActionsDestroy(actions);
            Libc.PosixSpawnAttrDestroy(attr);
            foreach (nint s in strings)
                Marshal.FreeCoTaskMem(s);
        }

        int status;
        while (Libc.WaitPid(pid, &status, 0) < 0)
        {
            var ex = SyscallException.Last($"waitpid {pid} ({argv[0]})");
            if (ex.Errno != Libc.EIntr)
                throw ex;
        }
        int exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
        return new CommandResult(exitCode, "", ReadTail(fullLog, start));
    }

    private static unsafe byte* Utf8(string value, List<nint> owned)
    {
        nint p = Marshal.StringToCoTaskMemUTF8(value);
        owned.Add(p);
        return (byte*)p;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
            throw new SyscallException($"posix_spawn {what}", error);
    }

    private static string ReadTail(string path, long start)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            long from = Math.Max(start, stream.Length - LogTailBytes);
            if (from >= stream.Length)
                return "";
            stream.Position = from;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }
}
