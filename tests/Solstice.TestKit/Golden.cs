using System.Runtime.CompilerServices;

namespace Solstice.TestKit;

/// <summary>Compares rendered text with Golden/&lt;name&gt;; SOLSTICE_UPDATE_GOLDEN=1 rewrites the file instead.</summary>
public static class Golden
{
    public static void Assert(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(ProjectDirectory(callerFile), "Golden");
        string path = Path.Combine(directory, name);
        if (Environment.GetEnvironmentVariable("SOLSTICE_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, actual);
            return;
        }
        Xunit.Assert.True(File.Exists(path), $"golden file {path} is missing; run with SOLSTICE_UPDATE_GOLDEN=1 to create it");
        Xunit.Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string ProjectDirectory(string callerFile)
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(callerFile)!);
        while (dir is not null && !dir.EnumerateFiles("*.csproj").Any())
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no project directory above {callerFile}");
    }
}
