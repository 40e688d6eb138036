using Solstice.Core;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Oci;

/// <summary>
/// Picks the OCI runtime: an explicit choice wins (SOLSTICE_OCI_RUNTIME, then the configured value);
/// otherwise crun on a pure cgroup v2 host that has it, runc everywhere else. Each input is a property
/// so tests can describe any host.
/// </summary>
public sealed class RuntimeDetector
{
    public const string OverrideVariable = "SOLSTICE_OCI_RUNTIME";

    private const long Cgroup2SuperMagic = 0x63677270;

    // A daemon's PATH may lack the sbin directories runc is packaged into (/usr/sbin on Debian).
    private static readonly string[] s_fallbackDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    public string? SearchPath { get; init; } = System.Environment.GetEnvironmentVariable("PATH");

    public Func<string, string?> GetEnvironment { get; init; } = System.Environment.GetEnvironmentVariable;

    public Func<string, bool> IsCgroup2 { get; init; } = IsCgroup2Mount;

    /// <param name="configured">The node config's runtime setting: "runc", "crun", an absolute path to either, or null/"auto".</param>
    /// <exception cref="SolsticeException">Unavailable when no usable runtime exists; InvalidArgument for an unknown override.</exception>
    public OciRuntimeChoice Detect(string? configured = null)
    {
        string? fromEnvironment = GetEnvironment(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && fromEnvironment != "auto")
            return Explicit(fromEnvironment.Trim(), $"{OverrideVariable}={fromEnvironment}");
        if (!string.IsNullOrWhiteSpace(configured) && configured != "auto")
            return Explicit(configured.Trim(), $"configured '{configured}'");

        bool pureV2 = IsPureCgroup2();
        string? crun = FindExecutable("crun");
        string? runc = FindExecutable("runc");
        if (pureV2 && crun is not null)
            return new OciRuntimeChoice(OciRuntimeKind.Crun, crun, "pure cgroup v2 host with crun installed");
        if (runc is not null)
            return new OciRuntimeChoice(OciRuntimeKind.Runc, runc, pureV2 ? "crun is not installed" : "host cgroups are not pure v2 (crun needs pure v2)");
        if (crun is not null)
            throw new SolsticeException(ErrorCode.Unavailable,
                $"runc is not installed, and crun ({crun}) refuses this host's cgroup v1/hybrid layout; install runc, or set {OverrideVariable}=crun to try anyway");
        throw new SolsticeException(ErrorCode.Unavailable,
            $"no OCI runtime found on PATH: install runc (or crun on a pure cgroup v2 host), or set {OverrideVariable} to its path");
    }

    /// <summary>CgroupRoot is a cgroup2 mount whose root delegates cpu, memory and pids.</summary>
    public bool IsPureCgroup2()
    {
        if (!IsCgroup2(CgroupRoot))
            return false;
        string controllersFile = Path.Combine(CgroupRoot, "cgroup.controllers");
        if (!File.Exists(controllersFile))
            return false;
        var controllers = File.ReadAllText(controllersFile).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return controllers.Contains("cpu") && controllers.Contains("memory") && controllers.Contains("pids");
    }

    /// <summary>The first executable regular file named name on SearchPath or the usual sbin/bin directories.</summary>
    public string? FindExecutable(string name)
    {
        var directories = (SearchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(s_fallbackDirectories);
        foreach (string directory in directories.Where(Path.IsPathFullyQualified))
        {
            string candidate = Path.Combine(directory, name);
            if (IsExecutable(candidate))
                return candidate;
        }
        return null;
    }

    public static unsafe bool IsCgroup2Mount(string path)
    {
        Libc.StatFsBuffer buffer;
        return Libc.StatFs(path, &buffer) == 0 && buffer.Type == Cgroup2SuperMagic;
    }

    private OciRuntimeChoice Explicit(string value, string reason)
    {
        if (value is "runc" or "crun")
        {
            var kind = value == "crun" ? OciRuntimeKind.Crun : OciRuntimeKind.Runc;
            string path = FindExecutable(value) ?? throw new SolsticeException(ErrorCode.Unavailable, $"{reason}: '{value}' is not installed");
            return new OciRuntimeChoice(kind, path, reason);
        }
        if (!Path.IsPathFullyQualified(value))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{reason}: expected runc, crun, auto or an absolute path");
        string file = Path.GetFileName(value);
        OciRuntimeKind explicitKind = file.StartsWith("crun", StringComparison.Ordinal) ? OciRuntimeKind.Crun
            : file.StartsWith("runc", StringComparison.Ordinal) ? OciRuntimeKind.Runc
            : throw new SolsticeException(ErrorCode.InvalidArgument, $"{reason}: cannot tell whether '{value}' is runc or crun from its name");
        if (!IsExecutable(value))
            throw new SolsticeException(ErrorCode.Unavailable, $"{reason}: '{value}' is not an executable file");
        return new OciRuntimeChoice(explicitKind, value, reason);
    }

    private static bool IsExecutable(string path)
    {
        var info = new FileInfo(path);
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return info.Exists && (info.UnixFileMode & anyExecute) != 0;
    }
}
