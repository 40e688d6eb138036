using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.TestKit;

/// <summary>
/// Builds zone-image tarballs in memory with TarWriter, including hostile ones, and writes them
/// with a matching IMGAPI v2 manifest (sha1 and size of the written file).
/// </summary>
public sealed class TestImageBuilder
{
    private static readonly DateTimeOffset s_mtime = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly List<TarEntry> _entries = [];

    public Guid Uuid { get; set; } = Guid.NewGuid();
    public string Name { get; set; } = "test-image";
    public string Version { get; set; } = "1.0.0";
    public string Type { get; set; } = "zone-dataset";
    public string Compression { get; set; } = "gzip";
    public string PublishedAt { get; set; } = "2024-01-02T03:04:05.678Z";

    public TestImageBuilder Directory(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = s_mtime });

    public TestImageBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = mode, Uid = uid, Gid = gid, ModificationTime = s_mtime,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        });

    public TestImageBuilder Symlink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF, ModificationTime = s_mtime });

    public TestImageBuilder HardLink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, Mode = (UnixFileMode)0x1A4, ModificationTime = s_mtime });

    public TestImageBuilder Fifo(string name) =>
        Add(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = s_mtime });

    public TestImageBuilder CharacterDevice(string name, int major = 1, int minor = 3) =>
        Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0x1B6 });

    public TestImageBuilder BlockDevice(string name, int major = 8, int minor = 0) =>
        Add(new PaxTarEntry(TarEntryType.BlockDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0x1B0 });

    public TestImageBuilder Add(TarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }

    /// <summary>A small but complete rootfs: directories, a file, an absolute and a relative symlink, a hard link.</summary>
    public TestImageBuilder Rootfs() =>
        Directory("./").Directory("./etc").File("./etc/hostname", "test\n")
            .Directory("./bin").File("./bin/tool", "#!/bin/sh\necho hi\n", (UnixFileMode)0x1ED)
            .Symlink("./bin/sh", "/bin/tool").Symlink("./bin/sh2", "tool").HardLink("./bin/tool2", "./bin/tool")
            .Directory("./tmp", (UnixFileMode)0x3FF);

    public byte[] Tar()
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                entry.DataStream?.Seek(0, SeekOrigin.Begin);
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Compress(byte[] data, string compression)
    {
        switch (compression)
        {
            case "none":
                return data;
            case "gzip":
                var buffer = new MemoryStream();
                using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                    gzip.Write(data);
                return buffer.ToArray();
            default:
                return Pipe([compression, "-c", "-q"], data);
        }
    }

    /// <summary>Writes &lt;uuid&gt;.tar.&lt;ext&gt; and &lt;uuid&gt;.json into directory.</summary>
    public TestImage Write(string directory, byte[]? fileBytes = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        byte[] bytes = fileBytes ?? Compress(Tar(), Compression);
        string filePath = Path.Combine(directory, $"{Uuid}.tar.{Compression}");
        System.IO.File.WriteAllBytes(filePath, bytes);
        var manifest = new JsonObject
        {
            ["v"] = 2,
            ["uuid"] = Uuid.ToString(),
            ["owner"] = "00000000-0000-0000-0000-000000000000",
            ["name"] = Name,
            ["version"] = Version,
            ["state"] = "active",
            ["disabled"] = false,
            ["public"] = true,
            ["published_at"] = PublishedAt,
            ["type"] = Type,
            ["os"] = "linux",
            ["tags"] = new JsonObject { ["role"] = "test" },
            ["files"] = new JsonArray(new JsonObject
            {
                ["sha1"] = Convert.ToHexStringLower(SHA1.HashData(bytes)),
                ["size"] = bytes.LongLength,
                ["compression"] = Compression,
            }),
        };
        var image = new TestImage(Uuid, Path.Combine(directory, $"{Uuid}.json"), filePath, manifest);
        image.SaveManifest();
        return image;
    }

    private static byte[] Pipe(IReadOnlyList<string> argv, byte[] input)
    {
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in argv.Skip(1))
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = new MemoryStream();
        var reader = process.StandardOutput.BaseStream.CopyToAsync(output);
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        reader.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{argv[0]} exited {process.ExitCode}");
        return output.ToArray();
    }
}
