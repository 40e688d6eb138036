using Xunit;

namespace Solstice.TestKit;

/// <summary>
/// A test that needs root and real kernel facilities (loop devices, btrfs, namespaces). It runs
/// only as root with SOLSTICE_PRIVILEGED_TESTS=1, which the test script sets; elsewhere it is skipped.
/// </summary>
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute()
    {
        if (Privileged.Reason is { } reason)
            Skip = reason;
    }
}

public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (Privileged.Reason is { } reason)
            Skip = reason;
    }
}

public static class Privileged
{
    public static string? Reason =>
        Environment.GetEnvironmentVariable("SOLSTICE_PRIVILEGED_TESTS") != "1" ? "set SOLSTICE_PRIVILEGED_TESTS=1 to run privileged tests"
        : Environment.UserName != "root" ? "privileged tests need root"
        : null;
}
