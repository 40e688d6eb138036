using System.Buffers.Text;
using System.IO.Enumeration;
using System.Text;
using Solstice.Linux;

namespace Solstice.Images.Index;

/// <summary>
/// The listing cache of one pool's image index directory. The per-image &lt;uuid&gt;.json files
/// stay authoritative (written last on install, removed first on delete); index.jsonl holds the
/// same manifests in one file so a listing reads one file instead of one per image. Its lines are
/// "+&lt;uuid&gt; &lt;compact manifest&gt;" or "-&lt;uuid&gt;", appended under .lock and replayed in order.
/// A load compares the cache's uuids with the directory's file names (a readdir, no file reads):
/// a crash between a manifest write and its cache line, a torn last line or a missing cache shows
/// up as a difference, and only the differing manifests are read to repair it.
/// </summary>
public sealed class ImageIndex(string directory)
{
    public const string CacheFileName = "index.jsonl";
    private const string LockFileName = ".lock";
    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromSeconds(30);

    public string Directory { get; } = directory;

    public string CachePath => Path.Combine(Directory, CacheFileName);

    public string ManifestPath(Guid uuid) => Path.Combine(Directory, Key(uuid) + ".json");

    private static string Key(Guid uuid) => uuid.ToString("D");

    /// <summary>Every indexed manifest as compact JSON, in cache order.</summary>
    public IReadOnlyList<KeyValuePair<Guid, ReadOnlyMemory<byte>>> Load()
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        var names = ManifestFiles();
        var (entries, lines) = ReadCache(names.Count);
        bool consistent = entries.Count == names.Count && names.All(entries.ContainsKey);
        if (consistent)
        {
            if (lines > 2 * entries.Count + 64)
                TryRewrite(entries);
            return [.. entries];
        }
        foreach (var stale in entries.Keys.Where(k => !names.Contains(k)).ToList())
            entries.Remove(stale);
        foreach (Guid missing in names.Where(n => !entries.ContainsKey(n)))
        {
            if (ReadManifestFile(missing) is { } json)
                entries[missing] = json;
        }
        TryRewrite(entries);
        return [.. entries];
    }

    /// <summary>Records an installed manifest; called after its &lt;uuid&gt;.json is in place.</summary>
    public void Added(Guid uuid, ReadOnlyMemory<byte> compactJson) =>
        Append(Encoding.UTF8.GetBytes($"+{Key(uuid)} ").Concat(compactJson.ToArray()).Append((byte)'\n').ToArray());

    /// <summary>Records a removal; called before &lt;uuid&gt;.json is deleted.</summary>
    public void Removed(Guid uuid) => Append(Encoding.UTF8.GetBytes($"-{Key(uuid)}\n"));

    /// <summary>The compact form stored in the cache.</summary>
    public static byte[] Compact(ImageManifest manifest) => ImageJson.SerializeCompactUtf8(manifest.Json);

    private void Append(byte[] line)
    {
        // Without a cache there is nothing to keep current: the next load rebuilds it.
        if (!File.Exists(CachePath))
            return;
        using var held = FileLock.Acquire(Path.Combine(Directory, LockFileName), s_lockTimeout);
        using var stream = new FileStream(CachePath, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            BufferSize = 1,
            UnixCreateMode = AtomicFile.PrivateMode,
        });
        stream.Write(line);
    }

    /// <summary>The uuids of the &lt;uuid&gt;.json files, parsed from the directory entries without building a path per file.</summary>
    private HashSet<Guid> ManifestFiles()
    {
        var files = new FileSystemEnumerable<Guid>(Directory, (ref entry) => ParseManifestName(entry.FileName, out var uuid) ? uuid : Guid.Empty)
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory && ParseManifestName(entry.FileName, out _),
        };
        return [.. files];
    }

    private static bool ParseManifestName(ReadOnlySpan<char> file, out Guid uuid)
    {
        uuid = Guid.Empty;
        return file.Length == 41 && file.EndsWith(".json", StringComparison.Ordinal) && Guid.TryParseExact(file[..36], "D", out uuid);
    }

    private (Dictionary<Guid, ReadOnlyMemory<byte>> Entries, int Lines) ReadCache(int expected)
    {
        var entries = new Dictionary<Guid, ReadOnlyMemory<byte>>(expected);
        byte[] data;
        try
        {
            data = ReadWhole(CachePath);
        }
        catch (FileNotFoundException)
        {
            return (entries, 0);
        }
        int lines = 0;
        var memory = data.AsMemory();
        int start = 0;
        while (start < data.Length)
        {
            int end = Array.IndexOf(data, (byte)'\n', start);
            if (end < 0)
                break; // a torn last line: the set comparison catches what it lacked
            lines++;
            var line = memory[start..end];
            start = end + 1;
            if (line.Length < 37 || !Utf8Parser.TryParse(line.Span.Slice(1, 36), out Guid uuid, out int consumed, 'D') || consumed != 36)
                continue;
            if (line.Span[0] == (byte)'-')
                entries.Remove(uuid);
            else if (line.Span[0] == (byte)'+' && line.Length > 39)
                entries[uuid] = line[38..];
        }
        return (entries, lines);
    }

    /// <summary>
    /// The file in one array that is not zeroed first (it is overwritten at once), read in one go:
    /// for an index of 10,000 images that is 6 MB, and clearing it first costs as much as reading it.
    /// </summary>
    private static byte[] ReadWhole(string path)
    {
        using var file = File.OpenHandle(path);
        long length = RandomAccess.GetLength(file);
        byte[] data = GC.AllocateUninitializedArray<byte>((int)length);
        int total = 0;
        while (total < data.Length)
        {
            int read = RandomAccess.Read(file, data.AsSpan(total), total);
            if (read == 0)
                break;
            total += read;
        }
        return total == data.Length ? data : data[..total];
    }

    /// <summary>The manifest file's contents in compact form, or null when it is missing or not a valid manifest for its uuid.</summary>
    private ReadOnlyMemory<byte>? ReadManifestFile(Guid uuid)
    {
        string text;
        try
        {
            text = File.ReadAllText(ManifestPath(uuid));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        // Typed: a null byte[] would convert to an empty ReadOnlyMemory, not to null, and be cached as an empty entry.
        return ImageManifest.TryParse(text) is { } manifest && manifest.Uuid == uuid ? Compact(manifest) : (ReadOnlyMemory<byte>?)null;
    }

    /// <summary>Rewrites the cache compactly; a listing by a user who may not write the pool still works without it.</summary>
    private void TryRewrite(Dictionary<Guid, ReadOnlyMemory<byte>> entries)
    {
        try
        {
            using var held = FileLock.TryAcquire(Path.Combine(Directory, LockFileName));
            if (held is null)
                return;
            // Rewrites happen only under the lock: a temp file seen now was left by a killed one.
            foreach (string stale in System.IO.Directory.EnumerateFiles(Directory, $".{CacheFileName}.*.tmp"))
                File.Delete(stale);
            using var buffer = new MemoryStream();
            foreach (var (uuid, json) in entries)
            {
                buffer.Write(Encoding.ASCII.GetBytes($"+{Key(uuid)} "));
                buffer.Write(json.Span);
                buffer.WriteByte((byte)'\n');
            }
            AtomicFile.Write(CachePath, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Linux.Interop.SyscallException)
        {
        }
    }
}
