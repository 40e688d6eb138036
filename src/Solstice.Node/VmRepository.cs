using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Linux;

namespace Solstice.Node;

/// <summary>
/// VM records, one JSON file each in the pool's config dataset (zones/config plays SmartOS's
/// /etc/zones), written atomically; an in-memory copy serves reads without touching disk.
/// The daemon is the only writer.
/// </summary>
public sealed class VmRepository
{
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, VmRecord> _records = new(StringComparer.Ordinal);

    public VmRepository(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        // Records hold customer metadata (which may carry secrets): root's only. Nodes that wrote
        // them 0644 before are tightened here; AtomicFile creates new ones 0600.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A write cut short by a crash leaves its temp file; the record itself is intact.
        foreach (string stale in Directory.EnumerateFiles(directory, ".*.tmp"))
            File.Delete(stale);
        foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
        {
            string uuid = Path.GetFileNameWithoutExtension(file);
            if ((File.GetUnixFileMode(file) & ~AtomicFile.PrivateMode) != 0)
                File.SetUnixFileMode(file, AtomicFile.PrivateMode);
            try
            {
                var json = JsonNode.Parse(File.ReadAllBytes(file)) as JsonObject ?? throw new InvalidDataException("not an object");
                _records[uuid] = VmRecord.FromJson(uuid, json);
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException or ArgumentException)
            {
                Console.Error.WriteLine($"solsticed: ignoring unreadable VM record {file}: {ex.Message}");
            }
        }
    }

    public IReadOnlyCollection<VmRecord> All => (IReadOnlyCollection<VmRecord>)_records.Values;

    public VmRecord? Find(string uuid) => _records.TryGetValue(uuid, out var record) ? record : null;

    public bool Contains(string uuid) => _records.ContainsKey(uuid);

    public void Save(VmRecord record)
    {
        AtomicFile.Write(PathOf(record.Uuid), Encoding.UTF8.GetBytes(record.ToJson().ToJsonString(s_indented)));
        _records[record.Uuid] = record;
    }

    public void Remove(string uuid)
    {
        File.Delete(PathOf(uuid));
        AtomicFile.SyncDirectory(_directory);
        _records.TryRemove(uuid, out _);
    }

    private string PathOf(string uuid) => Path.Combine(_directory, uuid + ".json");

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };
}
