using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Images.Docker;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>Docker images on a dir-driver pool: a registry with the bearer-token flow, an OCI layout, a docker save archive.</summary>
public sealed class ImgadmDockerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;
    private readonly ImageStore _store;

    public ImgadmDockerTests()
    {
        _config = _dir.Combine("node.json");
        new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") }] }.Save(_config);
        Assert.Equal(0, CliHarness.Run(_config, "solstice", "setup").ExitCode);
        _store = new ImageStore(PoolManager.Default.Open(NodeConfig.Load(_config).Pool("zones")));
    }

    public void Dispose() => _dir.Dispose();

    private CliOutcome Run(params string[] args) => CliHarness.Run(_config, "imgadm", args);

    /// <summary>Three layers: a base, a change with a whiteout and an opaque directory, an app layer.</summary>
    private static OciImageBuilder ThreeLayers() => new OciImageBuilder()
        .Layer().Directory("bin/").File("bin/sh", "#!shell\n").Directory("etc/").File("etc/os-release", "base\n")
            .File("etc/remove-me", "x").Directory("var/").Directory("var/cache/").File("var/cache/old", "old")
        .Layer().Whiteout("etc", "remove-me").Opaque("var/cache").File("var/cache/new", "new").File("etc/os-release", "changed\n")
        .Layer().Directory("srv/").File("srv/app", "app\n").Symlink("srv/link", "app");

    private void AssertInstalled(Guid top, IReadOnlyList<string> digests)
    {
        Assert.Equal(DockerImporter.UuidFromDigests(digests), top);
        string root = _store.RootOf(top);
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(root, "etc", "os-release")));
        Assert.False(File.Exists(Path.Combine(root, "etc", "remove-me")));
        Assert.Equal(["new"], Directory.GetFiles(Path.Combine(root, "var", "cache")).Select(Path.GetFileName));
        Assert.Equal("app\n", File.ReadAllText(Path.Combine(root, "srv", "app")));
        Assert.Equal("app", new FileInfo(Path.Combine(root, "srv", "link")).LinkTarget);

        var topImage = _store.Get(top).Manifest;
        Assert.Equal(("docker", "docker-layer", digests[^1][7..19]), (topImage.Type, topImage.Name, topImage.Version));
        Assert.Equal(DockerImporter.UuidFromDigests(digests.Take(2)).ToString(), topImage.Origin);
        Assert.Equal(digests[^1], topImage.Json["tags"]!["docker:id"]!.GetValue<string>());
        Assert.Null(_store.Get(DockerImporter.UuidFromDigests(digests.Take(1))).Manifest.Origin);

        var config = DockerRuntimeConfig.Of(_store, top)!;
        Assert.Equal(["/bin/sh", "-c", "echo hello from the image"], config.Argv);
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hi"], config.Env);
        Assert.Equal(("/srv", "1000:1000"), (config.WorkingDir, config.User));
        Assert.Equal(["8080/tcp"], config.ExposedPorts);
    }

    [Fact]
    public void The_uuid_is_the_start_of_the_sha256_of_the_space_joined_digest_chain()
    {
        string a = "sha256:" + new string('a', 64), b = "sha256:" + new string('b', 64);
        string hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{a} {b}")));
        Assert.Equal($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}", DockerImporter.UuidFromDigests([a, b]).ToString());
    }

    [Fact]
    public void Import_from_a_registry_with_a_bearer_token_applies_the_layers_in_order()
    {
        var image = ThreeLayers().Build();
        using var registry = new FakeRegistry(image, "test/app", "v1");
        Assert.Equal(0, Run("sources", "-a", registry.Url, "-t", "docker").ExitCode);
        var result = Run("import", "test/app:v1");
        Assert.True(result.ExitCode == 0, result.Error);
        var top = DockerImporter.UuidFromDigests(image.LayerDigests);
        Assert.Contains($"Imported image {top} (test/app:v1)", result.Out);
        AssertInstalled(top, image.LayerDigests);
        var manifest = _store.Get(top).Manifest;
        Assert.True(manifest.Json["tags"]!["docker:tag:v1"]!.GetValue<bool>());
        Assert.Equal("test/app", manifest.Json["tags"]!["docker:repo"]!.GetValue<string>());
        Assert.Equal(image.DiffIds[^1], manifest.Json["files"]![0]!["uncompressedDigest"]!.GetValue<string>());
        Assert.Contains("GET /token", registry.Requests);

        var again = Run("import", "test/app:v1");
        Assert.Contains("is already installed, skipping", again.Out);
        var list = Run("list", "-H", "-o", "name,type", "type=docker");
        Assert.Equal("docker-layer  docker\ndocker-layer  docker\ndocker-layer  docker\n", list.Out);
    }

    [Fact]
    public void A_corrupted_layer_from_a_registry_installs_nothing_from_it_on()
    {
        var image = ThreeLayers().Build();
        using var registry = new FakeRegistry(image, "test/app", "v1");
        registry.Corrupt.Add(image.LayerDigests[1]);
        Run("sources", "-a", registry.Url, "-t", "docker");
        var result = Run("import", "test/app:v1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"layer {image.LayerDigests[1]}: digest mismatch", result.Error);
        Assert.Equal([DockerImporter.UuidFromDigests(image.LayerDigests.Take(1))], _store.ListIndexed().Select(i => i.Uuid));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.PartialDirectory));
    }

    [Fact]
    public void Unknown_tags_and_missing_docker_sources_are_reported()
    {
        Assert.Contains("no docker image sources are configured", Run("import", "busybox:latest").Error);
        var image = ThreeLayers().Build();
        using var registry = new FakeRegistry(image, "test/app", "v1");
        Run("sources", "-a", registry.Url, "-t", "docker");
        var missing = Run("import", "test/app:nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("manifest unknown", missing.Error);
        var bad = Run("import", "Not A Reference!");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("is neither an image uuid nor a docker reference", bad.Error);
    }

    [Fact]
    public void Show_describes_a_registry_image_with_its_layer_uuids()
    {
        var image = ThreeLayers().Build();
        using var registry = new FakeRegistry(image, "test/app", "v1");
        Run("sources", "-a", registry.Url, "-t", "docker");
        var shown = JsonNode.Parse(Run("show", "test/app:v1").Out)!;
        Assert.Equal(DockerImporter.UuidFromDigests(image.LayerDigests).ToString(), shown["layers"]![2]!["uuid"]!.GetValue<string>());
        Assert.Equal("/srv", shown["config"]!["config"]!["WorkingDir"]!.GetValue<string>());
    }

    [Fact]
    public void Install_from_an_oci_layout_gives_the_same_uuids_as_the_registry()
    {
        string layout = _dir.Combine("layout");
        var image = ThreeLayers().WriteOciLayout(layout, "v2");
        var result = Run("install-docker", layout, "app:v2");
        Assert.True(result.ExitCode == 0, result.Error);
        AssertInstalled(DockerImporter.UuidFromDigests(image.LayerDigests), image.LayerDigests);
        Assert.True(_store.Get(DockerImporter.UuidFromDigests(image.LayerDigests)).Manifest.Json["tags"]!["docker:tag:v2"]!.GetValue<bool>());
    }

    [Fact]
    public void Install_from_a_docker_save_archive_uses_the_layer_tar_digests()
    {
        string archive = _dir.Combine("saved.tar");
        var image = ThreeLayers().WriteDockerSave(archive, "saved/app:1.0");
        var result = Run("install-docker", archive);
        Assert.True(result.ExitCode == 0, result.Error);
        var top = DockerImporter.UuidFromDigests(image.DiffIds);
        AssertInstalled(top, image.DiffIds);
        var tags = _store.Get(top).Manifest.Json["tags"]!;
        Assert.Equal("saved/app", tags["docker:repo"]!.GetValue<string>());
        Assert.True(tags["docker:tag:1.0"]!.GetValue<bool>());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.PartialDirectory));
    }

    [Fact]
    public void A_tag_the_archive_lacks_is_reported_against_the_users_file()
    {
        string archive = _dir.Combine("saved.tar");
        ThreeLayers().WriteDockerSave(archive, "saved/app:1.0");
        var result = Run("install-docker", archive, "saved/app:2.0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"docker save archive {archive}: no image tagged 'saved/app:2.0'", result.Error);
        Assert.DoesNotContain(".partial", result.Error);
        Assert.Empty(_store.ListIndexed());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.PartialDirectory));
    }

    [Fact]
    public void A_docker_save_archive_that_escapes_its_directory_is_refused()
    {
        string archive = _dir.Combine("evil.tar");
        var builder = new TestImageBuilder().Directory("./").File("./manifest.json", "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]");
        File.WriteAllBytes(archive, builder.Tar());
        var result = Run("install-docker", archive);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bad path '../../etc/passwd'", result.Error);
        Assert.Empty(_store.ListIndexed());
    }

    [Fact]
    public void Docker_references_parse_as_imgadm_takes_them()
    {
        Assert.Equal(("busybox", "latest", null), Parts(DockerReference.Parse("busybox")));
        Assert.Equal(("library/busybox", "1.36", null), Parts(DockerReference.Parse("library/busybox:1.36")));
        string digest = "sha256:" + new string('0', 64);
        Assert.Equal(("app", null, digest), Parts(DockerReference.Parse($"app@{digest}")));
        Assert.False(DockerReference.TryParse("UPPER:case", out _));
        Assert.Equal("library/busybox", DockerReference.Parse("busybox").RepositoryOn("https://registry-1.docker.io"));
        Assert.Equal("busybox", DockerReference.Parse("busybox").RepositoryOn("http://127.0.0.1:5000"));

        static (string, string?, string?) Parts(DockerReference r) => (r.Repository, r.Tag, r.Digest);
    }
}
