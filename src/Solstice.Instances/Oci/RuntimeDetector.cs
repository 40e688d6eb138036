using Solstice.Core;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Oci;

/// <summary>
/// Picks the OCI runtime: an explicit choice wins (SOLSTICE_OCI_RUNTIME, then the configured value);
/// otherwise crun wherever it can run and is installed, runc everywhere else. crun runs on a pure cgroup
/// v2 host and on a hybrid host whose v2 hierarchy (CgroupRoot/unified) holds no controllers; it refuses
/// a hybrid host that moved a controller there (its cgroup.controllers is non-empty) and a v1-only host.
/// Each input is a property so tests can describe any host.
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

    /// <summary>A file's text, or null when it does not exist.</summary>
    public Func<string, string?> ReadFile { get; init; } = path => File.Exists(path) ? File.ReadAllText(path) : null;

    /// <param name="configured">The node config's runtime setting: "runc", "crun", an absolute path to either, or null/"auto".</param>
    /// <exception cref="SolsticeException">Unavailable when no usable runtime exists; InvalidArgument for an unknown override.</exception>
    public OciRuntimeChoice Detect(string? configured = null)
    {
        string? fromEnvironment = GetEnvironment(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && fromEnvironment != "auto")
            return Explicit(fromEnvironment.Trim(), $"{OverrideVariable}={fromEnvironment}");
        if (!string.IsNullOrWhiteSpace(configured) && configured != "auto")
            return Explicit(configured.Trim(), $"configured '{configured}'");

        var (crunCanRun, layout) = CrunSupport();
        string? crun = FindExecutable("crun");
        string? runc = FindExecutable("runc");
        if (crunCanRun && crun is not null)
            return new OciRuntimeChoice(OciRuntimeKind.Crun, crun, $"crun is installed and runs on this host ({layout}).");
        if (runc is not null)
            return new OciRuntimeChoice(OciRuntimeKind.Runc, runc, crunCanRun
                ? $"crun is not installed, so runc ({layout})."
                : $"crun refuses this host ({layout}), so runc.");
        if (crun is not null)
            throw new SolsticeException(ErrorCode.Unavailable,
                $"runc is not installed, and crun ({crun}) refuses this host ({layout}); install runc, or set {OverrideVariable}=crun to try anyway");
        throw new SolsticeException(ErrorCode.Unavailable,
            $"no OCI runtime found on PATH: install runc (or crun), or set {OverrideVariable} to its path");
    }

    /// <summary>
    /// Whether crun can run on this host's cgroup layout, and the layout in words. crun manages a pure v2
    /// host; on a hybrid host it uses the v1 controllers and only refuses when the v2 hierarchy at
    /// CgroupRoot/unified offers a controller itself (its cgroup.controllers is not empty, e.g. hugetlb).
    /// </summary>
    public (bool CanRun, string Layout) CrunSupport()
    {
        if (IsPureCgroup2())
            return (true, "pure cgroup v2");
        if (IsCgroup2(CgroupRoot))
            return (false, "cgroup v2 without cpu, memory and pids at the root");
        string unified = Path.Combine(CgroupRoot, "unified");
        if (!IsCgroup2(unified))
            return (false, "cgroup v1 only, no v2 hierarchy");
        string? controllers = ReadFile(Path.Combine(unified, "cgroup.controllers"));
        if (controllers is null)
            return (false, $"hybrid cgroups whose {unified}/cgroup.controllers cannot be read");
        string listed = string.Join(' ', controllers.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        return listed.Length == 0
            ? (true, "hybrid cgroups with no controller in the v2 hierarchy")
            : (false, $"hybrid cgroups with '{listed}' in the v2 hierarchy");
    }

    /// <summary>CgroupRoot is a cgroup2 mount whose root delegates cpu, memory and pids.</summary>
    public bool IsPureCgroup2()
    {
        if (!IsCgroup2(CgroupRoot))
            return false;
        string? text = ReadFile(Path.Combine(CgroupRoot, "cgroup.controllers"));
        if (text is null)
            return false;
        var controllers = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
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
