using System.Formats.Tar;
using Solstice.Images.Archive;
using Solstice.Linux.Interop;
using Solstice.TestKit;

namespace Solstice.Images.Tests;

/// <summary>
/// Extraction into a temp directory. Each hostile archive must be refused with a message naming
/// the entry, and nothing may appear outside the root (the sibling "outside" directory stays empty).
/// </summary>
public sealed class SafeTarExtractorTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-tar");
    private readonly string _root;
    private readonly string _outside;

    public SafeTarExtractorTests()
    {
        _root = _dir.Combine("root");
        _outside = _dir.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => _dir.Dispose();

    private int Extract(TestImageBuilder builder) =>
        SafeTarExtractor.Extract(new MemoryStream(builder.Tar()), _root, Environment.IsPrivilegedProcess);

    private ImageArchiveException Refused(TestImageBuilder builder)
    {
        var ex = Assert.Throws<ImageArchiveException>(() => Extract(builder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
        return ex;
    }

    [Fact]
    public void A_rootfs_is_extracted_with_modes_times_links_and_owners()
    {
        var builder = new TestImageBuilder().Rootfs()
            .File("./bin/su", "setuid", (UnixFileMode)0x9ED)
            .File("./etc/owned", "x", uid: 1234, gid: 5678)
            .Directory("./ro", (UnixFileMode)0x16D).File("./ro/inside", "y")
            .Fifo("./run.fifo");
        Assert.Equal(14, Extract(builder));

        Assert.Equal("test\n", File.ReadAllText(Path.Combine(_root, "etc/hostname")));
        Assert.Equal("/bin/tool", new FileInfo(Path.Combine(_root, "bin/sh")).LinkTarget);
        Assert.Equal("tool", new FileInfo(Path.Combine(_root, "bin/sh2")).LinkTarget);
        Assert.Equal(HostStat.Of(Path.Combine(_root, "bin/tool")).Inode, HostStat.Of(Path.Combine(_root, "bin/tool2")).Inode);
        Assert.Equal(0x9EDu, HostStat.Of(Path.Combine(_root, "bin/su")).Permissions);
        Assert.Equal(0x3FFu, HostStat.Of(Path.Combine(_root, "tmp")).Permissions);
        Assert.Equal(0x16Du, HostStat.Of(Path.Combine(_root, "ro")).Permissions);
        Assert.Equal(0x1EDu, HostStat.Of(_root).Permissions);
        Assert.Equal(0x1000u, HostStat.Of(Path.Combine(_root, "run.fifo")).Type);
        long mtime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(mtime, HostStat.Of(Path.Combine(_root, "etc")).MTime);
        Assert.Equal(mtime, HostStat.Of(Path.Combine(_root, "bin/tool")).MTime);
        Assert.Equal(mtime, HostStat.Of(Path.Combine(_root, "bin/sh")).MTime);
        if (Environment.IsPrivilegedProcess)
        {
            var owned = HostStat.Of(Path.Combine(_root, "etc/owned"));
            Assert.Equal((1234, 5678), (owned.Uid, owned.Gid));
        }
    }

    [Fact]
    public void Missing_parent_directories_are_created()
    {
        Extract(new TestImageBuilder().File("a/b/c/file", "deep"));
        Assert.Equal("deep", File.ReadAllText(Path.Combine(_root, "a/b/c/file")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("./a/../../escape")]
    [InlineData("a/b/../../../escape")]
    public void Dot_dot_paths_are_refused(string name)
    {
        var ex = Refused(new TestImageBuilder().File(name, "x"));
        Assert.Equal($"entry '{name}': path '{name}' has a '..' component", ex.Message);
    }

    [Fact]
    public void Absolute_paths_are_refused()
    {
        var ex = Refused(new TestImageBuilder().File(_outside + "/evil", "x"));
        Assert.Equal($"entry '{_outside}/evil': absolute path '{_outside}/evil' is not allowed", ex.Message);
    }

    [Fact]
    public void A_file_is_never_written_through_a_symlink_from_an_earlier_entry()
    {
        var ex = Refused(new TestImageBuilder().Symlink("link", _outside).File("link/evil", "x"));
        Assert.Equal("entry 'link/evil': path component 'link' is a symlink", ex.Message);
    }

    [Fact]
    public void A_directory_is_never_created_through_a_symlink()
    {
        var ex = Refused(new TestImageBuilder().Directory("d").Symlink("d/link", _outside).Directory("d/link/sub"));
        Assert.Equal("entry 'd/link/sub': path component 'd/link' is a symlink", ex.Message);
    }

    [Fact]
    public void A_file_replaces_a_symlink_of_the_same_name_instead_of_following_it()
    {
        string victim = Path.Combine(_outside, "victim");
        Extract(new TestImageBuilder().Symlink("etc-passwd", victim).File("etc-passwd", "replaced"));
        Assert.False(File.Exists(victim));
        Assert.Null(new FileInfo(Path.Combine(_root, "etc-passwd")).LinkTarget);
        Assert.Equal("replaced", File.ReadAllText(Path.Combine(_root, "etc-passwd")));
    }

    [Fact]
    public void Relative_symlinks_climbing_above_the_root_are_refused()
    {
        var ex = Refused(new TestImageBuilder().Directory("a").Symlink("a/up", "../../outside"));
        Assert.Equal("entry 'a/up': symlink target '../../outside' points outside the image root", ex.Message);
    }

    [Fact]
    public void Absolute_and_contained_relative_symlinks_are_kept()
    {
        Extract(new TestImageBuilder().Symlink("a/b/abs", "/etc/passwd").Symlink("a/b/rel", "../../etc/passwd"));
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(_root, "a/b/abs")).LinkTarget);
        Assert.Equal("../../etc/passwd", new FileInfo(Path.Combine(_root, "a/b/rel")).LinkTarget);
    }

    [Theory]
    [InlineData("../outside/secret", "hard link target '../outside/secret' has a '..' component")]
    [InlineData("/etc/passwd", "absolute hard link target '/etc/passwd' is not allowed")]
    [InlineData("missing", "hard link target 'missing' does not exist in the image")]
    public void Hard_links_must_point_inside_the_archive(string target, string reason)
    {
        File.WriteAllText(Path.Combine(_outside, "secret"), "s");
        var ex = Assert.Throws<ImageArchiveException>(() => Extract(new TestImageBuilder().HardLink("hl", target)));
        Assert.Equal($"entry 'hl': {reason}", ex.Message);
        Assert.False(File.Exists(Path.Combine(_root, "hl")));
    }

    [Fact]
    public void Hard_links_through_a_symlinked_directory_are_refused()
    {
        File.WriteAllText(Path.Combine(_outside, "secret"), "s");
        var ex = Assert.Throws<ImageArchiveException>(() =>
            Extract(new TestImageBuilder().Symlink("out", _outside).HardLink("hl", "out/secret")));
        Assert.Equal("entry 'hl': path component 'out' is a symlink", ex.Message);
        Assert.False(File.Exists(Path.Combine(_root, "hl")));
    }

    [Fact]
    public void Character_devices_are_refused()
    {
        var ex = Refused(new TestImageBuilder().Directory("dev").CharacterDevice("dev/null"));
        Assert.Equal("entry 'dev/null': device nodes are not allowed in images", ex.Message);
        Assert.False(File.Exists(Path.Combine(_root, "dev/null")));
    }

    [Fact]
    public void Block_devices_are_refused()
    {
        var ex = Refused(new TestImageBuilder().BlockDevice("sda"));
        Assert.Equal("entry 'sda': device nodes are not allowed in images", ex.Message);
    }

    [Fact]
    public void A_file_does_not_replace_a_directory()
    {
        var ex = Refused(new TestImageBuilder().Directory("d").File("d", "x"));
        Assert.Equal("entry 'd': would replace a directory", ex.Message);
    }

    [Fact]
    public void A_truncated_archive_fails()
    {
        byte[] tar = new TestImageBuilder().File("big", new string('x', 100_000)).Tar();
        var stream = new MemoryStream(tar, 0, 20_000);
        Assert.ThrowsAny<Exception>(() => SafeTarExtractor.Extract(stream, _root, preserveOwnership: false));
    }

    [Fact]
    public void Modes_are_read_back_without_following_symlinks()
    {
        Extract(new TestImageBuilder().Symlink("l", "/nonexistent"));
        Assert.Equal(PathAt.SIfLnk, PathAt.ModeOf(Libc.AtFdCwd, Path.Combine(_root, "l"))!.Value & PathAt.SIfMt);
        Assert.Null(PathAt.ModeOf(Libc.AtFdCwd, Path.Combine(_root, "none")));
    }

    [Fact]
    public void Gnu_format_archives_are_read_too()
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            writer.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED });
            string longName = "./" + string.Join('/', Enumerable.Repeat("segment", 20)) + "/file";
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, longName) { DataStream = new MemoryStream([1, 2, 3]) });
        }
        buffer.Position = 0;
        SafeTarExtractor.Extract(buffer, _root, preserveOwnership: false);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_root, string.Join('/', Enumerable.Repeat("segment", 20)), "file")));
    }
}
