using System.Diagnostics;
using System.Text;
using Solstice.TestKit;

namespace Solstice.Metadata.Tests.Support;

public sealed record ToolResult(int ExitCode, string Out, string Error);

/// <summary>
/// The real guest tool, as built from src/Solstice.Guest.Mdata: the apphost, linked under the
/// mdata-* names as a guest image installs it.
/// </summary>
public sealed class GuestTool : IDisposable
{
    private readonly TempDirectory _bin = new("mdata-bin");

    public GuestTool()
    {
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        BuildDirectory = Path.Combine(RepoRoot, "src", "Solstice.Guest.Mdata", "bin", configuration, "net10.0");
        Apphost = Path.Combine(BuildDirectory, "mdata");
        Assert.True(File.Exists(Apphost), $"guest tool not built at {Apphost}");
        foreach (string name in (string[])["mdata-get", "mdata-put", "mdata-delete", "mdata-list"])
            File.CreateSymbolicLink(_bin.Combine(name), Apphost);
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
                dir = dir.Parent;
            return dir!.FullName;
        }
    }

    /// <summary>scripts/build.sh's NativeAOT publish with its mdata-* links, when it has run.</summary>
    public static string PublishedDirectory => Path.Combine(RepoRoot, "artifacts", "bin");

    public string BuildDirectory { get; }

    public string Apphost { get; }

    /// <summary>Runs <c>mdata-&lt;tool&gt;</c> against the socket; stdin is the given text, or empty.</summary>
    public Task<ToolResult> RunAsync(string socket, string tool, string[] args, string? stdin = null, int timeoutMs = 30_000) =>
        RunProcessAsync(_bin.Combine(tool), args, socket, stdin, timeoutMs);

    public static async Task<ToolResult> RunProcessAsync(string file, IEnumerable<string> args, string socket, string? stdin, int timeoutMs)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        info.Environment[MetadataPaths.SocketOverrideVariable] = socket;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish: {await stderr}");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _bin.Dispose();
}
