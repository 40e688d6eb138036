using System.Net;
using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Images.Imgapi;
using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// imgadm sources, avail, show, import and publish on dir-driver pools: a dir source, and an
/// IMGAPI server in-process on 127.0.0.1 serving a second node's pool.
/// </summary>
public sealed class ImgadmSourcesTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;
    private readonly string _repo;

    public ImgadmSourcesTests()
    {
        _config = MakeNode("a");
        _repo = _dir.Combine("repo");
        Directory.CreateDirectory(_repo);
    }

    public void Dispose() => _dir.Dispose();

    private string MakeNode(string name)
    {
        string config = _dir.Combine(name, "node.json");
        Directory.CreateDirectory(_dir.Combine(name));
        new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine(name, "zones") }] }.Save(config);
        Assert.Equal(0, CliHarness.Run(config, "solstice", "setup").ExitCode);
        return config;
    }

    private CliOutcome Run(params string[] args) => CliHarness.Run(_config, "imgadm", args);

    private static ImageStore Store(string config) =>
        new(PoolManager.Default.Open(NodeConfig.Load(config).Pool("zones")));

    [Fact]
    public void Sources_are_added_listed_and_deleted_in_imgadm_json_beside_the_node_config()
    {
        Assert.Equal("", Run("sources").Out);
        var add = Run("sources", "-a", _repo, "-t", "dir");
        Assert.Equal((0, $"Added \"dir\" image source \"{_repo}\"\n"), (add.ExitCode, add.Out));
        Assert.Equal(0, Run("sources", "-a", "http://127.0.0.1:1/", "-f").ExitCode);
        Assert.Equal($"Already have image source '{_repo}', no change\n", Run("sources", "-a", _repo + "/", "-t", "dir").Out);
        Assert.Equal($"{_repo}\nhttp://127.0.0.1:1\n", Run("sources").Out);
        var json = JsonNode.Parse(Run("sources", "-j").Out)!.AsArray();
        Assert.Equal("dir", json[0]!["type"]!.GetValue<string>());
        Assert.Equal("imgapi", json[1]!["type"]!.GetValue<string>());
        Assert.True(File.Exists(_dir.Combine("a", "imgadm.json")));

        var unreachable = Run("sources", "-a", "http://127.0.0.1:1/other");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("http://127.0.0.1:1/other", unreachable.Error);
        Assert.Equal(1, Run("sources", "-c").ExitCode);

        Assert.Equal("Deleted image source \"http://127.0.0.1:1\"\n", Run("sources", "-d", "http://127.0.0.1:1").Out);
        Assert.Equal($"{_repo}\n", Run("sources").Out);
        Assert.Equal(2, Run("sources", "-a", "x", "-t", "ftp").ExitCode);
    }

    [Fact]
    public void Avail_show_and_import_from_a_dir_source_with_the_origin_first()
    {
        var base_ = new TestImageBuilder { Name = "base", PublishedAt = "2024-01-01T00:00:00Z" }.Rootfs().Write(_repo);
        var child = new TestImageBuilder { Name = "child", PublishedAt = "2024-02-01T00:00:00Z" }.File("./etc/motd", "child\n").Write(_repo);
        child.Manifest["origin"] = base_.Uuid.ToString();
        child.SaveManifest();
        Run("sources", "-a", _repo, "-t", "dir");

        var avail = Run("avail", "-H", "-o", "name,source");
        Assert.Equal($"base   {_repo}\nchild  {_repo}\n", avail.Out);
        var show = Run("show", child.Uuid.ToString());
        Assert.Equal(base_.Uuid.ToString(), JsonNode.Parse(show.Out)!["origin"]!.GetValue<string>());

        var import = Run("import", child.Uuid.ToString());
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains($"Importing origin image {base_.Uuid} of {child.Uuid}", import.Out);
        Assert.Contains($"Imported image {child.Uuid} (child@1.0.0)", import.Out);
        Assert.Contains("Downloaded image ", import.Out);
        var store = Store(_config);
        Assert.True(store.Exists(base_.Uuid));
        Assert.Equal("child\n", File.ReadAllText(Path.Combine(store.RootOf(child.Uuid), "etc", "motd")));
        Assert.Equal("test\n", File.ReadAllText(Path.Combine(store.RootOf(child.Uuid), "etc", "hostname")));
        Assert.True(File.Exists(store.FileOf(child.Uuid)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.PartialDirectory));

        var again = Run("import", child.Uuid.ToString());
        Assert.Equal($"Image {child.Uuid} (child@1.0.0) is already installed, skipping\n", again.Out);
    }

    [Fact]
    public void A_wrong_sha1_or_a_truncated_file_in_a_source_installs_nothing()
    {
        var wrong = new TestImageBuilder { Name = "wrong" }.Rootfs().Write(_repo);
        wrong.Manifest["files"]![0]!["sha1"] = new string('b', 40);
        wrong.SaveManifest();
        var truncated = new TestImageBuilder { Name = "short" }.Rootfs().Write(_repo);
        using (var file = new FileStream(truncated.FilePath, FileMode.Open))
            file.SetLength(file.Length - 7);
        Run("sources", "-a", _repo, "-t", "dir");

        var sha = Run("import", wrong.Uuid.ToString());
        Assert.Equal(1, sha.ExitCode);
        Assert.Contains($"image {wrong.Uuid}: sha1 mismatch: expected {new string('b', 40)}", sha.Error);
        var size = Run("import", truncated.Uuid.ToString());
        Assert.Equal(1, size.ExitCode);
        Assert.Contains("size mismatch", size.Error);
        var store = Store(_config);
        Assert.Empty(store.ListIndexed());
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.PartialDirectory));
        Assert.Equal("zones\nzones/archive\nzones/config\nzones/cores\nzones/images\n",
            CliHarness.Run(_config, "solstice", "dataset", "list", "-H", "-o", "name").Out);
    }

    [Fact]
    public void Hostile_manifests_from_a_source_are_refused_with_the_reason()
    {
        var unknownCompression = new TestImageBuilder().Rootfs().Write(_repo);
        unknownCompression.Manifest["files"]![0]!["compression"] = "lz4";
        unknownCompression.SaveManifest();
        var missingOrigin = new TestImageBuilder().Rootfs().Write(_repo);
        var ghost = Guid.NewGuid();
        missingOrigin.Manifest["origin"] = ghost.ToString();
        missingOrigin.SaveManifest();
        var badType = new TestImageBuilder().Rootfs().Write(_repo);
        badType.Manifest["type"] = "lxd";
        badType.SaveManifest();
        Run("sources", "-a", _repo, "-t", "dir");

        Assert.Contains("files[0].compression: 'lz4' is not one of", Run("import", unknownCompression.Uuid.ToString()).Error);
        Assert.Contains($"image {ghost} was not found in image sources", Run("import", missingOrigin.Uuid.ToString()).Error);
        Assert.Contains("type: 'lxd' is not one of", Run("import", badType.Uuid.ToString()).Error);
        var unknown = Run("import", Guid.NewGuid().ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("was not found in image sources", unknown.Error);
        Assert.Empty(Store(_config).ListIndexed());
    }

    [Fact]
    public void Import_without_sources_says_how_to_add_one()
    {
        var result = Run("import", Guid.NewGuid().ToString());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no image sources are configured", result.Error);
    }

    [Fact]
    public void Node_to_node_over_imgapi_import_and_publish()
    {
        string other = MakeNode("b");
        var image = new TestImageBuilder { Name = "shared" }.Rootfs().Write(_dir.Combine("files"));
        Assert.Equal(0, CliHarness.Run(other, "imgadm", "import", "-S", _dir.Combine("files"), image.Uuid.ToString()).ExitCode);
        using var server = new ImgapiServer(Store(other), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();

        Assert.Equal(0, Run("sources", "-a", server.Url).ExitCode);
        Assert.Equal("shared\n", Run("avail", "-H", "-o", "name").Out);
        var import = Run("import", image.Uuid.ToString());
        Assert.True(import.ExitCode == 0, import.Error);
        var mine = Store(_config);
        Assert.Equal(File.ReadAllBytes(image.FilePath), File.ReadAllBytes(mine.FileOf(image.Uuid)));
        Assert.Equal("test\n", File.ReadAllText(Path.Combine(mine.RootOf(image.Uuid), "etc", "hostname")));

        var published = new TestImageBuilder { Name = "from-a", Version = "2.0" }.Rootfs().File("./etc/origin", "node a\n").Write(_dir.Combine("pub"));
        var publish = Run("publish", "-m", published.ManifestPath, "-f", published.FilePath, server.Url);
        Assert.True(publish.ExitCode == 0, publish.Error);
        Assert.Contains($"Successfully published image {published.Uuid} (from-a@2.0) to {server.Url}", publish.Out);
        var theirs = Store(other);
        Assert.True(theirs.Exists(published.Uuid));
        Assert.Equal("node a\n", File.ReadAllText(Path.Combine(theirs.RootOf(published.Uuid), "etc", "origin")));
        Assert.Equal("active", JsonNode.Parse(Run("show", published.Uuid.ToString()).Out)!["state"]!.GetValue<string>());

        var twice = Run("publish", "-m", published.ManifestPath, "-f", published.FilePath, server.Url);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("409", twice.Error);
        Assert.True(theirs.Exists(published.Uuid));
    }

    [Fact]
    public void Publish_checks_the_file_before_uploading()
    {
        var image = new TestImageBuilder().Rootfs().Write(_dir.Combine("pub"));
        image.Manifest["files"]![0]!["sha1"] = new string('c', 40);
        image.SaveManifest();
        var result = Run("publish", "-m", image.ManifestPath, "-f", image.FilePath, "http://127.0.0.1:1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sha1 mismatch", result.Error);
    }

    [Fact]
    public void The_imgapi_server_filters_and_reports_errors_as_imgapi_does()
    {
        var store = Store(_config);
        foreach (var (name, type) in new[] { ("alpha", "zone-dataset"), ("beta", "lx-dataset"), ("alphabet", "zone-dataset") })
        {
            var image = new TestImageBuilder { Name = name, Type = type }.Rootfs().Write(_dir.Combine("files"));
            store.Install(image.ManifestPath, image.FilePath);
        }
        using var server = new ImgapiServer(store, new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        using var client = new ImgapiClient(server.Url);
        Assert.Equal("pong", client.Ping()["ping"]!.GetValue<string>());
        string Names(string query) => string.Join(",", client.ListImages(query).Select(m => m["name"]!.GetValue<string>()).Order());
        Assert.Equal("alpha,alphabet,beta", Names(""));
        Assert.Equal("alpha", Names("name=alpha"));
        Assert.Equal("alpha,alphabet", Names("name=~alpha"));
        Assert.Equal("beta", Names("type=lx-dataset"));
        Assert.Equal("alpha,alphabet", Names("type=!lx-dataset"));
        Assert.Equal("", Names("os=windows"));
        Assert.Null(client.GetImage(Guid.NewGuid()));
        var missing = Assert.Throws<Core.SolsticeException>(() => client.OpenFile(Guid.NewGuid(), out _));
        Assert.Contains("404", missing.Message);
        Assert.Contains("ResourceNotFound", missing.Message);
    }

    [Fact]
    public void A_second_import_of_the_same_uuid_waits_for_the_first_and_does_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_repo);
        Run("sources", "-a", _repo, "-t", "dir");
        var store = Store(_config);
        CliOutcome? second = null;
        using (store.Lock(image.Uuid))
        {
            var waiting = new Thread(() => second = Run("import", image.Uuid.ToString()));
            waiting.Start();
            Thread.Sleep(300);
            Assert.True(waiting.IsAlive);
            store.Install(ImageManifest.Parse(File.ReadAllText(image.ManifestPath), "test"), image.FilePath, new InstallOptions { Locked = true });
            Thread.Sleep(10);
            waiting.Join(TimeSpan.FromSeconds(0));
            Assert.True(waiting.IsAlive);
        }
        SpinWait.SpinUntil(() => second is not null, TimeSpan.FromSeconds(30));
        Assert.NotNull(second);
        Assert.Contains("Waiting for another import", second!.Out);
        Assert.Contains("is already installed, skipping", second.Out);
    }

    [Fact]
    public void Staged_files_of_a_killed_import_are_removed_by_the_next_one()
    {
        var image = new TestImageBuilder().Rootfs().Write(_repo);
        Run("sources", "-a", _repo, "-t", "dir");
        var store = Store(_config);
        Directory.CreateDirectory(store.PartialDirectory);
        string stale = Path.Combine(store.PartialDirectory, $"{Guid.NewGuid()}.4242.file");
        File.WriteAllText(stale, "half a download");
        string own = Path.Combine(store.PartialDirectory, $"{image.Uuid}.4243.file");
        File.WriteAllText(own, "half");
        Assert.Equal(0, Run("import", image.Uuid.ToString()).ExitCode);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(own));
    }

    [Fact]
    public void Progress_is_a_bar_on_a_terminal_and_lines_elsewhere()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var terminal = new Commands.Imgadm.ProgressRenderer(new CliContext(output, error, () => Stream.Null, () => Stream.Null) { ErrorIsTerminal = true }, quiet: false);
        terminal.Begin("image x", 1000);
        Thread.Sleep(150);
        terminal.Advance(500);
        terminal.Advance(1000);
        terminal.End();
        Assert.Contains("image x [", error.ToString());
        Assert.Contains("50%", error.ToString());
        Assert.Contains("ETA", error.ToString());
        Assert.Contains("100%", error.ToString());
        Assert.Equal("", output.ToString());

        var plainOut = new StringWriter();
        var plain = new Commands.Imgadm.ProgressRenderer(new CliContext(plainOut, new StringWriter(), () => Stream.Null, () => Stream.Null), quiet: false);
        plain.Begin("image y", 2048);
        plain.Advance(2048);
        plain.End();
        Assert.StartsWith("Downloaded image y: 2.0KiB in ", plainOut.ToString());
    }

    [Fact]
    public void AtomicFile_keeps_sources_whole()
    {
        Run("sources", "-a", _repo, "-t", "dir");
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("a"), ".*.tmp"));
        AtomicFile.WriteText(_dir.Combine("a", "imgadm.json"), "{\"sources\": [{\"type\": \"dir\"}]}");
        var broken = Run("sources");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("invalid imgadm config", broken.Error);
    }
}
