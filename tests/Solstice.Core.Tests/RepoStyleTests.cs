using Solstice.Core.Protocol;

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

    [Fact]
    public void Design_doc_names_every_project_under_src_and_tests()
    {
        string design = File.ReadAllText(Path.Combine(RepoRoot, "docs", "design.md"));
        var missing = new[] { "src", "tests" }
            .SelectMany(d => Directory.EnumerateDirectories(Path.Combine(RepoRoot, d)))
            .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
            .Select(d => Path.GetRelativePath(RepoRoot, d))
            .Where(project => !design.Contains($"`{project}`", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Node_operation_names_are_spelled_only_in_NodeOps()
    {
        var spelled = SourceFiles.Where(f => f.Contains("/src/", StringComparison.Ordinal) && !f.EndsWith("/NodeOps.cs", StringComparison.Ordinal))
            .SelectMany(f => NodeOps.All.Where(op => op.StartsWith(NodeOps.VmPrefix, StringComparison.Ordinal) && File.ReadAllText(f).Contains($"\"{op}\"", StringComparison.Ordinal))
                .Select(op => $"{Path.GetRelativePath(RepoRoot, f)}: {op}"))
            .ToList();
        Assert.Empty(spelled);
    }
}
