using Solstice.Core;
using Solstice.Instances.Zones;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// How the daemon reads a zone's root to set up its init (no root needed): which init an lx image
/// boots, and docker:user lookups, both resolved inside the zone's root whatever its links say.
/// </summary>
public sealed class ZoneInitTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private void Link(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_root.Combine(path))!);
        File.CreateSymbolicLink(_root.Combine(path), target);
    }

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_root.Combine(path))!);
        File.WriteAllText(_root.Combine(path), text);
    }

    [Fact]
    public void Debians_merged_usr_init_resolves_to_systemd()
    {
        Write("usr/lib/systemd/systemd", "");
        Link("lib", "usr/lib");
        Link("sbin", "usr/sbin");
        Link("usr/sbin/init", "/lib/systemd/systemd");
        Assert.Equal("/usr/lib/systemd/systemd", ZoneInit.Resolve(_root.Path, "/sbin/init"));
        Assert.True(ZoneInit.IsSystemd(_root.Path, "/sbin/init"));
    }

    [Fact]
    public void Busybox_init_a_missing_init_and_link_loops_are_not_systemd()
    {
        Write("bin/busybox", "");
        Link("sbin/init", "../bin/busybox");
        Assert.False(ZoneInit.IsSystemd(_root.Path, "/sbin/init"));
        Assert.Null(ZoneInit.Resolve(_root.Path, "/sbin/missing"));
        Link("sbin/a", "b");
        Link("sbin/b", "a");
        Assert.Null(ZoneInit.Resolve(_root.Path, "/sbin/a"));
    }

    [Fact]
    public void Links_that_climb_out_stay_inside_the_root()
    {
        Write("lib/systemd/systemd", "");
        Link("sbin/init", "../../../../../../../lib/systemd/systemd");
        Assert.Equal("/lib/systemd/systemd", ZoneInit.Resolve(_root.Path, "/sbin/init"));
    }

    [Fact]
    public void Docker_users_and_groups_are_looked_up_in_the_images_databases()
    {
        Write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/srv/app:/bin/sh\n");
        Write("etc/group", "root:x:0:\nstaff:x:50:\n");
        Assert.Equal((0u, 0u, "/root"), DockerProcess.ResolveUser("0", _root.Path));
        Assert.Equal((1000u, 1001u, "/srv/app"), DockerProcess.ResolveUser("app", _root.Path));
        Assert.Equal((1000u, 50u, "/srv/app"), DockerProcess.ResolveUser("app:staff", _root.Path));
        Assert.Equal((1000u, 7u, "/srv/app"), DockerProcess.ResolveUser("1000:7", _root.Path));
        Assert.Equal((4242u, 0u, null), DockerProcess.ResolveUser("4242", _root.Path));
        var user = Assert.Throws<SolsticeException>(() => DockerProcess.ResolveUser("nobody", _root.Path));
        Assert.Equal("docker zone: docker:user 'nobody': no user 'nobody' in the image's /etc/passwd", user.Message);
        var group = Assert.Throws<SolsticeException>(() => DockerProcess.ResolveUser("app:wheel", _root.Path));
        Assert.Equal("docker zone: docker:user 'app:wheel': no group 'wheel' in the image's /etc/group", group.Message);
    }

    [Fact]
    public void A_passwd_that_links_out_is_read_inside_the_root()
    {
        // /data/users exists only in the zone's root; the host's /etc/passwd is never what is read.
        Write("data/users", "ops:x:7:8:ops:/home/ops:/bin/sh\n");
        Link("etc/passwd", "/data/users");
        Assert.Equal((7u, 8u, "/home/ops"), DockerProcess.ResolveUser("ops", _root.Path));
        Link("etc/group", "/etc/group");
        var loop = Assert.Throws<SolsticeException>(() => DockerProcess.ResolveUser("ops:root", _root.Path));
        Assert.StartsWith("docker zone: cannot read the image's /etc/group: ", loop.Message);
    }
}
