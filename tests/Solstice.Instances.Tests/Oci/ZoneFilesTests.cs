using Solstice.Core;
using Solstice.Instances.Oci;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Oci;

public sealed class ZoneFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-zonefiles");

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Combine("root");

    [Fact]
    public void Writes_hostname_hosts_and_resolv_conf()
    {
        Directory.CreateDirectory(Root);
        ZoneFiles.Write(Root, "web01", "example.com", ["8.8.8.8", "2001:4860:4860::8888"]);
        Assert.Equal("web01\n", File.ReadAllText(Path.Combine(Root, "etc/hostname")));
        Assert.Equal("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tweb01.example.com web01\n",
            File.ReadAllText(Path.Combine(Root, "etc/hosts")));
        Assert.Equal("search example.com\nnameserver 8.8.8.8\nnameserver 2001:4860:4860::8888\n",
            File.ReadAllText(Path.Combine(Root, "etc/resolv.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(Root, "etc/hosts")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Root, "etc")).Length);
    }

    [Fact]
    public void Rewrites_existing_files_and_replaces_symlinked_ones()
    {
        Directory.CreateDirectory(Path.Combine(Root, "etc"));
        string outside = _dir.Combine("outside-resolv.conf");
        File.WriteAllText(outside, "keep me\n");
        File.CreateSymbolicLink(Path.Combine(Root, "etc/resolv.conf"), outside);
        File.WriteAllText(Path.Combine(Root, "etc/hostname"), "old\n");

        ZoneFiles.Write(Root, "new", null, ["10.0.0.1"]);

        Assert.Equal("keep me\n", File.ReadAllText(outside));
        Assert.Null(new FileInfo(Path.Combine(Root, "etc/resolv.conf")).LinkTarget);
        Assert.Equal("nameserver 10.0.0.1\n", File.ReadAllText(Path.Combine(Root, "etc/resolv.conf")));
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(Root, "etc/hostname")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_etc_symlink_pointing_out_of_the_root_is_never_followed_there(bool absolute)
    {
        Directory.CreateDirectory(Root);
        string outsideEtc = _dir.Combine("host-etc");
        Directory.CreateDirectory(outsideEtc);
        File.CreateSymbolicLink(Path.Combine(Root, "etc"), absolute ? outsideEtc : "../host-etc");

        var ex = Assert.Throws<SolsticeException>(() => ZoneFiles.Write(Root, "web01", "local", []));

        Assert.Equal(ErrorCode.InvalidState, ex.Code);
        Assert.Empty(Directory.GetFileSystemEntries(outsideEtc));
    }

    [Fact]
    public void An_etc_symlink_within_the_root_is_resolved_as_the_zone_sees_it()
    {
        Directory.CreateDirectory(Path.Combine(Root, "private/etc"));
        File.CreateSymbolicLink(Path.Combine(Root, "etc"), "/private/etc");
        ZoneFiles.Write(Root, "web01", "local", []);
        Assert.Equal("web01\n", File.ReadAllText(Path.Combine(Root, "private/etc/hostname")));
    }

    [Fact]
    public void Bad_names_and_resolvers_are_all_reported()
    {
        Directory.CreateDirectory(Root);
        var ex = Assert.Throws<SolsticeException>(() => ZoneFiles.Write(Root, "bad_host", "-x.com", ["8.8.8.8", "nameserver 1.1.1.1"]));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("hostname", ex.Message);
        Assert.Contains("dns_domain", ex.Message);
        Assert.Contains("resolver 'nameserver 1.1.1.1'", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, "etc")));
    }
}
