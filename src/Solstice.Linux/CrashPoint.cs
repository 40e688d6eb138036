using System.Globalization;
using System.Runtime.InteropServices;

namespace Solstice.Linux;

/// <summary>
/// Deterministic crash points for the fault-injection tests. With SOLSTICE_CRASH_AT=&lt;prefix&gt;:&lt;n&gt;
/// the process calls _exit(137) (no cleanup, no flush, as close to kill -9 as a process can do to
/// itself) at the n-th hit of a point whose name starts with prefix ("*": any point). Points are
/// counted only once Arm() is called (solsticed arms after recovery), except with a "recover"
/// prefix, which counts recovery's own points. Without the variable a hit costs one null check.
/// </summary>
public static partial class CrashPoint
{
    public const string Variable = "SOLSTICE_CRASH_AT";

    private static readonly string? s_prefix;
    private static readonly int s_at;
    private static int s_count;
    private static volatile bool s_armed;

    static CrashPoint()
    {
        string? spec = Environment.GetEnvironmentVariable(Variable);
        int colon = spec?.LastIndexOf(':') ?? -1;
        if (colon > 0 && int.TryParse(spec.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int at) && at > 0)
        {
            s_prefix = spec![..colon];
            s_at = at;
        }
    }

    /// <summary>Starts counting (points before this, during recovery, only count for a "recover" prefix).</summary>
    public static void Arm() => s_armed = true;

    public static void Hit(string name)
    {
        if (s_prefix is null)
            return;
        bool recovery = name.StartsWith("recover", StringComparison.Ordinal);
        bool matches = s_prefix == "*" ? !recovery && s_armed : name.StartsWith(s_prefix, StringComparison.Ordinal) && (recovery || s_armed);
        if (!matches || Interlocked.Increment(ref s_count) != s_at)
            return;
        Console.Error.WriteLine($"solsticed: crash point {name} (hit {s_at} of {s_prefix}): exiting");
        Exit(137);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
