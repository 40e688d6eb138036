using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>imgadm create from a zone-like dataset (a clone of an installed image with a VM record) on a dir-driver pool.</summary>
public sealed class ImgadmCreateTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;
    private readonly StoragePool _pool;
    private readonly ImageStore _store;

    public ImgadmCreateTests()
    {
        _config = _dir.Combine("node.json");
        new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") }] }.Save(_config);
        Assert.Equal(0, CliHarness.Run(_config, "solstice", "setup").ExitCode);
        _pool = PoolManager.Default.Open(NodeConfig.Load(_config).Pool("zones"));
        _store = new ImageStore(_pool);
    }

    public void Dispose() => _dir.Dispose();

    private CliOutcome Run(params string[] args) => CliHarness.Run(_config, "imgadm", args);

    /// <summary>A zone as the daemon leaves one: the image's @final cloned to zones/&lt;vm&gt;, its record in zones/config.</summary>
    private Guid MakeZone(string brand, string phase = "ready")
    {
        var image = new TestImageBuilder { Type = brand == "lx" ? "lx-dataset" : "zone-dataset" }.Rootfs().Write(_dir.Combine("files"));
        _store.Install(image.ManifestPath, image.FilePath);
        var vm = Guid.NewGuid();
        _pool.Clone(_store.SnapshotOf(image.Uuid), _pool.Root.Child(vm.ToString()));
        var record = new JsonObject
        {
            ["phase"] = phase,
            ["vm"] = new JsonObject { ["uuid"] = vm.ToString(), ["brand"] = brand, ["image_uuid"] = image.Uuid.ToString() },
        };
        File.WriteAllText(Path.Combine(_pool.PathOf(_pool.Root.Child("config")), $"{vm}.json"), record.ToJsonString());
        return vm;
    }

    private string ZoneRoot(Guid vm) => Path.Combine(_pool.PathOf(_pool.Root.Child(vm.ToString())), "root");

    [Theory]
    [InlineData("joyent", "zone-dataset", "gzip")]
    [InlineData("lx", "lx-dataset", "zstd")]
    [InlineData("joyent-minimal", "zone-dataset", "none")]
    public void Create_from_a_changed_zone_then_install_shows_the_changes(string brand, string type, string compression)
    {
        var vm = MakeZone(brand);
        string root = ZoneRoot(vm);
        File.WriteAllText(Path.Combine(root, "etc", "hostname"), "changed\n");
        Directory.CreateDirectory(Path.Combine(root, "opt", "app"));
        File.WriteAllText(Path.Combine(root, "opt", "app", "run"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(root, "opt", "app", "run"), (UnixFileMode)0x1ED);
        File.Delete(Path.Combine(root, "bin", "sh2"));
        string prefix = _dir.Combine("out", "myimage");
        Directory.CreateDirectory(_dir.Combine("out"));

        var result = Run("create", "-c", compression, "-o", prefix, vm.ToString(), "name=myimage", "version=1.2", "tags={\"role\":\"app\"}");
        Assert.True(result.ExitCode == 0, result.Error);
        var manifest = ImageManifest.Parse(File.ReadAllText(prefix + ".json"), "created");
        Assert.Equal(("myimage", "1.2", type, compression), (manifest.Name, manifest.Version, manifest.Type, manifest.File.Compression));
        Assert.Equal(brand, manifest.Json["requirements"]!["brand"]!.GetValue<string>());
        Assert.Equal("app", manifest.Json["tags"]!["role"]!.GetValue<string>());
        Assert.Null(manifest.Origin);
        Assert.Contains($"Created image {manifest.Uuid} (myimage@1.2)", result.Out);
        Assert.Equal([], _pool.List(null, true, false, true).Select(r => r.Name).Where(n => n.Contains("imgadm-create")));

        var installed = _store.Install(prefix + ".json", Directory.GetFiles(_dir.Combine("out"), "myimage.tar*").Single());
        string newRoot = _store.RootOf(installed.Uuid);
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(newRoot, "etc", "hostname")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(newRoot, "opt", "app", "run")));
        Assert.False(File.Exists(Path.Combine(newRoot, "bin", "sh2")));
        Assert.Equal("/bin/tool", new FileInfo(Path.Combine(newRoot, "bin", "sh")).LinkTarget);
        Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(Path.Combine(newRoot, "tmp")));
    }

    [Fact]
    public void The_same_zone_makes_the_same_tarball()
    {
        var vm = MakeZone("joyent");
        Directory.CreateDirectory(_dir.Combine("one"));
        Directory.CreateDirectory(_dir.Combine("two"));
        Assert.Equal(0, Run("create", "-o", _dir.Combine("one", "i"), vm.ToString(), "name=i", "version=1").ExitCode);
        Thread.Sleep(1100);
        Assert.Equal(0, Run("create", "-o", _dir.Combine("two", "i"), vm.ToString(), "name=i", "version=1").ExitCode);
        Assert.Equal(File.ReadAllBytes(_dir.Combine("one", "i.tar")), File.ReadAllBytes(_dir.Combine("two", "i.tar")));
    }

    [Fact]
    public void A_manifest_from_stdin_gives_name_and_version_and_defaults_name_the_files()
    {
        var vm = MakeZone("joyent");
        string cwd = Directory.GetCurrentDirectory();
        var stdin = System.Text.Encoding.UTF8.GetBytes("{\"name\": \"fromstdin\", \"version\": \"3\", \"description\": \"d\"}");
        var result = CliHarness.Run(_config, "imgadm", stdin, "create", "-m", "-", "-o", _dir.Combine("fromstdin-3"), vm.ToString());
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(_dir.Combine("fromstdin-3.json")));
        Assert.True(File.Exists(_dir.Combine("fromstdin-3.tar")));
        Assert.Equal(cwd, Directory.GetCurrentDirectory());
    }

    [Fact]
    public void Create_refuses_without_name_for_unknown_vms_and_unfinished_zones()
    {
        var vm = MakeZone("joyent");
        var noName = Run("create", "-o", _dir.Combine("x"), vm.ToString());
        Assert.Equal(1, noName.ExitCode);
        Assert.Contains("needs the image's name and version", noName.Error);
        var unknown = Run("create", Guid.NewGuid().ToString(), "name=a", "version=1");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("not found", unknown.Error);
        var provisioning = MakeZone("joyent", "provisioning");
        Assert.Contains("is not ready (phase provisioning)", Run("create", provisioning.ToString(), "name=a", "version=1").Error);
        Assert.Equal(1, Run("create", "-c", "lz4", vm.ToString(), "name=a", "version=1").ExitCode);
        Assert.Equal(2, Run("create", "not-a-uuid").ExitCode);
    }
}
