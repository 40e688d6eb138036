namespace Solstice.Core.Tests;

/// <summary>The repository's own rules, checked like any other behaviour.</summary>
public class RepoStyleTests
{
    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    private static IEnumerable<string> SourceFiles =>
        new[] { "src", "tests", "bench" }.Select(d => Path.Combine(RepoRoot, d)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));

    [Fact]
    public void Every_error_code_is_documented()
    {
        string errors = File.ReadAllText(Path.Combine(RepoRoot, "docs", "errors.md"));
        foreach (string code in Enum.GetNames<ErrorCode>())
            Assert.Contains($"| {code} |", errors);
    }

    [Fact]
    public void No_source_file_exceeds_the_line_cap()
    {
        var tooLong = SourceFiles.Where(f => File.ReadLines(f).Count() > 800).Select(f => Path.GetRelativePath(RepoRoot, f)).ToList();
        Assert.Empty(tooLong);
    }

    [Fact]
    public void Only_program_entry_points_exit_the_process()
    {
        var offenders = SourceFiles.Where(f => File.ReadAllText(f).Contains("Environment" + ".Exit(")).Select(f => Path.GetRelativePath(RepoRoot, f)).ToList();
        Assert.Empty(offenders);
    }
}
