using System.Text.Json.Nodes;
using Solstice.Linux;

namespace Solstice.Node;

/// <summary>The verbs the journal records; recovery completes or rolls back each (docs/zones.md).</summary>
public static class VmIntent
{
    public const string Create = "create";
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Reboot = "reboot";
    public const string Update = "update";
    public const string Delete = "delete";
}

/// <summary>
/// The VM operations in flight: one small file per VM (&lt;pool&gt;/config/.intents/&lt;uuid&gt;.json,
/// root-only), written atomically before an operation's first side effect and removed when it has
/// finished or been undone. A file that survives a crash tells recovery which operation was cut
/// short, so it can complete it or roll it back; operations on one VM are serialised by its lock,
/// so a VM has at most one intent.
/// </summary>
public sealed class IntentJournal
{
    private readonly string _directory;

    public IntentJournal(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (string stale in Directory.EnumerateFiles(directory, ".*.tmp"))
            File.Delete(stale);
    }

    public void Begin(string uuid, string op)
    {
        var entry = new JsonObject { ["op"] = op, ["started"] = DateTimeOffset.UtcNow.ToString("O") };
        AtomicFile.WriteText(PathOf(uuid), entry.ToJsonString());
        CrashPoint.Hit($"{op}.intent");
    }

    /// <summary>Forgets the VM's intent: its operation finished or was undone.</summary>
    public void End(string uuid) => File.Delete(PathOf(uuid));

    /// <summary>Every intent left, by VM uuid (unreadable entries count as an unknown operation).</summary>
    public IReadOnlyDictionary<string, string> All()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            string op;
            try
            {
                op = JsonNode.Parse(File.ReadAllText(file))?["op"]?.GetValue<string>() ?? "";
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or IOException)
            {
                op = "";
            }
            result[Path.GetFileNameWithoutExtension(file)] = op;
        }
        return result;
    }

    private string PathOf(string uuid) => Path.Combine(_directory, uuid + ".json");
}
