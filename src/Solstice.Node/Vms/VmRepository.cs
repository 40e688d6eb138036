using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Linux;

namespace Solstice.Node;

/// <summary>
/// VM records, one JSON file each in the pool's config dataset (zones/config plays SmartOS's
/// /etc/zones), written atomically; an in-memory copy serves reads without touching disk.
/// The daemon is the only writer.
/// <para>
/// customer_metadata and internal_metadata live apart from the record, in
/// <c>metadata/&lt;uuid&gt;.json</c> (SmartOS likewise keeps them in the zone's
/// <c>config/metadata.json</c>): a guest's <c>mdata-put</c> rewrites only that file and a record
/// without metadata, never a record that carries megabytes of it. The metadata file is written
/// first and wins over metadata found inline in a record (records written before the split), so
/// a crash between the two writes keeps the newest metadata.
/// </para>
/// </summary>
public sealed class VmRepository
{
    /// <summary>The VM properties kept in the metadata file rather than the record.</summary>
    private static readonly string[] MetadataProperties = Solstice.Metadata.MetadataSize.Properties;

    private const string MetadataDirectoryName = "metadata";

    private readonly string _directory;
    private readonly string _metadataDirectory;
    private readonly ConcurrentDictionary<string, VmRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _observersLock = new();
    private volatile Action<string, JsonObject?>[] _observers = [];
    private readonly ConcurrentDictionary<string, byte> _metadataUnwritten = new(StringComparer.Ordinal);

    public VmRepository(string directory)
    {
        _directory = directory;
        _metadataDirectory = Path.Combine(directory, MetadataDirectoryName);
        Directory.CreateDirectory(directory);
        // Records hold customer metadata (which may carry secrets): root's only. Nodes that wrote
        // them 0644 before are tightened here; AtomicFile creates new ones 0600.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(_metadataDirectory);
        File.SetUnixFileMode(_metadataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A write cut short by a crash leaves its temp file; the record itself is intact.
        foreach (string stale in Directory.EnumerateFiles(directory, ".*.tmp").Concat(Directory.EnumerateFiles(_metadataDirectory, ".*.tmp")))
            File.Delete(stale);
        foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
        {
            string uuid = Path.GetFileNameWithoutExtension(file);
            if ((File.GetUnixFileMode(file) & ~AtomicFile.PrivateMode) != 0)
                File.SetUnixFileMode(file, AtomicFile.PrivateMode);
            try
            {
                var json = JsonNode.Parse(File.ReadAllBytes(file)) as JsonObject ?? throw new InvalidDataException("not an object");
                var record = VmRecord.FromJson(uuid, json);
                string metadataPath = MetadataPathOf(uuid);
                if (File.Exists(metadataPath))
                    LoadMetadata(record.Vm, metadataPath);
                else if (MetadataProperties.Any(record.Vm.ContainsKey))
                    AtomicFile.Write(metadataPath, Serialize(record.Vm, metadata: true, phase: null)); // a record from before the split
                _records[uuid] = record;
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException or ArgumentException)
            {
                Console.Error.WriteLine($"solsticed: ignoring unreadable VM record {file}: {ex.Message}");
            }
        }
        // Metadata whose record is gone: a delete cut short between removing the two files.
        foreach (string file in Directory.EnumerateFiles(_metadataDirectory, "*.json"))
        {
            if (!File.Exists(Path.Combine(directory, Path.GetFileName(file))))
                File.Delete(file);
        }
    }

    public IReadOnlyCollection<VmRecord> All => (IReadOnlyCollection<VmRecord>)_records.Values;

    public VmRecord? Find(string uuid) => _records.TryGetValue(uuid, out var record) ? record : null;

    public bool Contains(string uuid) => _records.ContainsKey(uuid);

    /// <summary>
    /// Persists a record: its metadata file only when the metadata differ from the stored
    /// record's, then the record without metadata. Records are replaced, never changed in place.
    /// </summary>
    public void Save(VmRecord record)
    {
        var previous = Find(record.Uuid);
        if (previous is null || _metadataUnwritten.ContainsKey(record.Uuid) || !SameMetadata(previous.Vm, record.Vm))
            AtomicFile.Write(MetadataPathOf(record.Uuid), Serialize(record.Vm, metadata: true, phase: null));
        AtomicFile.Write(PathOf(record.Uuid), Serialize(record.Vm, metadata: false, phase: record.Phase));
        _records[record.Uuid] = record;
        Notify(record.Uuid, record.Vm);
        _metadataUnwritten.TryRemove(record.Uuid, out _);
    }

    /// <summary>
    /// Persists a new VM's provisioning record alone: recovery only rolls such a VM back, which
    /// needs no metadata, so its metadata file is first written with the VM's next save (the ready
    /// record), and a create makes two fewer fsyncs on the way to its clone.
    /// </summary>
    public void SaveProvisioning(VmRecord record)
    {
        if (record.Phase != VmPhase.Provisioning || Contains(record.Uuid))
            throw new InvalidOperationException($"VM {record.Uuid}: only a new VM's provisioning record is saved without its metadata");
        _metadataUnwritten[record.Uuid] = 0;
        AtomicFile.Write(PathOf(record.Uuid), Serialize(record.Vm, metadata: false, phase: record.Phase));
        _records[record.Uuid] = record;
        Notify(record.Uuid, record.Vm);
    }

    public void Remove(string uuid)
    {
        File.Delete(PathOf(uuid));
        AtomicFile.SyncDirectory(_directory);
        File.Delete(MetadataPathOf(uuid));
        AtomicFile.SyncDirectory(_metadataDirectory);
        _records.TryRemove(uuid, out _);
        _metadataUnwritten.TryRemove(uuid, out _);
        Notify(uuid, null);
    }

    /// <summary>
    /// Calls observer with every record now, then with every record written (its VM object) or
    /// removed (null), on the writer's thread: how the firewall keeps its inventory of VMs
    /// without calling back into the VM service. Register before the service starts writing.
    /// </summary>
    public void Observe(Action<string, JsonObject?> observer)
    {
        lock (_observersLock)
            _observers = [.. _observers, observer];
        foreach (var record in _records.Values)
            observer(record.Uuid, record.Vm);
    }

    private void Notify(string uuid, JsonObject? vm)
    {
        foreach (var observer in _observers)
            observer(uuid, vm);
    }

    private string PathOf(string uuid) => Path.Combine(_directory, uuid + ".json");

    internal string MetadataPathOf(string uuid) => Path.Combine(_metadataDirectory, uuid + ".json");

    private static bool SameMetadata(JsonObject a, JsonObject b)
    {
        foreach (string name in MetadataProperties)
        {
            var x = a[name];
            var y = b[name];
            if (!ReferenceEquals(x, y) && !JsonNode.DeepEquals(x, y))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Puts the metadata file's maps into the VM in place of inline ones, each where the VM's
    /// sorted key order puts it; the other properties keep their order.
    /// </summary>
    private static void LoadMetadata(JsonObject vm, string path)
    {
        var metadata = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject
            ?? throw new InvalidDataException($"metadata file {path} is not an object");
        var properties = vm.Where(p => !MetadataProperties.Contains(p.Key)).ToList();
        vm.Clear();
        foreach (string name in MetadataProperties)
        {
            if (metadata[name] is not { } map)
                continue;
            metadata.Remove(name);
            int at = properties.FindIndex(p => string.CompareOrdinal(p.Key, name) > 0);
            properties.Insert(at < 0 ? properties.Count : at, new(name, map));
        }
        foreach (var (key, value) in properties)
            vm[key] = value;
    }

    /// <summary>
    /// The record (<c>{"phase", "vm"}</c> without metadata) or the metadata file
    /// (<c>{"customer_metadata", "internal_metadata"}</c>), written straight from the shared
    /// nodes: nothing is cloned.
    /// </summary>
    private static byte[] Serialize(JsonObject vm, bool metadata, VmPhase? phase)
    {
        var buffer = new ArrayBufferWriter<byte>(metadata ? 4096 : 2048);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            if (metadata)
            {
                foreach (string name in MetadataProperties)
                {
                    if (vm[name] is { } map)
                    {
                        writer.WritePropertyName(name);
                        map.WriteTo(writer);
                    }
                }
            }
            else
            {
                writer.WriteString("phase", phase!.Value.ToString().ToLowerInvariant());
                writer.WriteStartObject("vm");
                foreach (var (key, value) in vm)
                {
                    if (MetadataProperties.Contains(key))
                        continue;
                    writer.WritePropertyName(key);
                    if (value is null)
                        writer.WriteNullValue();
                    else
                        value.WriteTo(writer);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
