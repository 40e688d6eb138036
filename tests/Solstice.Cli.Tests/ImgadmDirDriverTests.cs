using System.Text.Json.Nodes;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>imgadm end to end on a dir-driver pool: output formats and the 0/1/2/3 exit codes.</summary>
public sealed class ImgadmDirDriverTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;
    private readonly string _files;

    public ImgadmDirDriverTests()
    {
        _config = _dir.Combine("node.json");
        _files = _dir.Combine("files");
        new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") }] }.Save(_config);
        Assert.Equal(0, Run("solstice", "setup").ExitCode);
    }

    public void Dispose() => _dir.Dispose();

    private CliOutcome Run(string tool, params string[] args) => CliHarness.Run(_config, tool, args);

    private TestImage Install(string name = "base", string version = "1.0", string published = "2024-05-06T07:08:09.123Z", string type = "zone-dataset")
    {
        var image = new TestImageBuilder { Name = name, Version = version, PublishedAt = published, Type = type }.Rootfs().Write(_files);
        var result = Run("imgadm", "install", "-m", image.ManifestPath, "-f", image.FilePath);
        Assert.Equal((0, $"Installed image {image.Uuid} ({name}@{version}) to \"zones/{image.Uuid}\"\n", ""), (result.ExitCode, result.Out, result.Error));
        return image;
    }

    [Fact]
    public void Install_then_list_shows_the_spec_default_columns()
    {
        var image = Install();
        var result = Run("imgadm", "list");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "UUID                                  NAME  VERSION  OS     PUBLISHED\n" +
            $"{image.Uuid}  base  1.0      linux  2024-05-06T07:08:09Z\n", result.Out);
        Assert.True(File.Exists(_dir.Combine("zones", image.Uuid.ToString(), "root", "etc", "hostname")));
    }

    [Fact]
    public void List_with_H_o_s_and_filters()
    {
        var a = Install("alpha", "2", "2024-01-01T00:00:00Z", "lx-dataset");
        var b = Install("beta", "10", "2023-01-01T00:00:00Z");
        Assert.Equal($"{b.Uuid}\n{a.Uuid}\n", Run("imgadm", "list", "-H", "-o", "uuid").Out);
        Assert.Equal(
            "alpha  2024-01-01  lx-dataset    test       zones\n" +
            "beta   2023-01-01  zone-dataset  test       zones\n",
            Run("imgadm", "list", "-H", "-o", "name,pub,type,tags.role,zpool", "-s", "name").Out);
        Assert.Equal("beta\nalpha\n", Run("imgadm", "list", "-H", "-o", "name", "-s", "-version").Out);
        Assert.Equal("alpha\n", Run("imgadm", "list", "-H", "-o", "name", "type=lx-dataset").Out);
        Assert.Equal("beta\n", Run("imgadm", "list", "-H", "-o", "name", "name=~et").Out);
        Assert.Equal("", Run("imgadm", "list", "-H", "-o", "name", "name=et").Out);
        Assert.Equal("-\n-\n", Run("imgadm", "list", "-H", "-o", "homepage").Out);
    }

    [Fact]
    public void List_j_prints_image_info_objects()
    {
        var image = Install();
        var result = Run("imgadm", "list", "-j");
        var array = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Single(array);
        Assert.Equal("zones", array[0]!["zpool"]!.GetValue<string>());
        Assert.Equal(image.Uuid.ToString(), array[0]!["manifest"]!["uuid"]!.GetValue<string>());
        Assert.StartsWith("[\n  {\n    \"manifest\": {", result.Out);
    }

    [Fact]
    public void Get_prints_manifest_and_zpool_and_keeps_every_field()
    {
        var image = Install();
        var result = Run("imgadm", "get", image.Uuid.ToString());
        Assert.Equal(0, result.ExitCode);
        var info = JsonNode.Parse(result.Out)!;
        Assert.Equal("zones", info["zpool"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(image.Manifest, info["manifest"]));
    }

    [Fact]
    public void Get_and_delete_of_an_unknown_image_exit_3()
    {
        string uuid = Guid.NewGuid().ToString();
        var get = Run("imgadm", "get", uuid);
        Assert.Equal((3, "", $"imgadm: error: image {uuid} is not installed on pool 'zones'\n"), (get.ExitCode, get.Out, get.Error));
        Assert.Equal(3, Run("imgadm", "delete", uuid).ExitCode);
    }

    [Fact]
    public void Delete_removes_the_image()
    {
        var image = Install();
        var result = Run("imgadm", "delete", image.Uuid.ToString());
        Assert.Equal((0, $"Deleted image {image.Uuid}\n"), (result.ExitCode, result.Out));
        Assert.Equal("", Run("imgadm", "list", "-H").Out);
        Assert.Equal(3, Run("imgadm", "get", image.Uuid.ToString()).ExitCode);
        Assert.Equal("zones\nzones/archive\nzones/config\nzones/cores\nzones/images\n", Run("solstice", "dataset", "list", "-H", "-o", "name").Out);
    }

    [Fact]
    public void A_bad_sha1_exits_1_with_the_uuid_named_and_installs_nothing()
    {
        var image = new TestImageBuilder().Rootfs().Write(_files);
        image.Manifest["files"]![0]!["sha1"] = new string('a', 40);
        image.SaveManifest();
        var result = Run("imgadm", "install", "-m", image.ManifestPath, "-f", image.FilePath);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"imgadm: error: image {image.Uuid}: sha1 mismatch: expected {new string('a', 40)}, got ", result.Error);
        Assert.Equal("", Run("imgadm", "list", "-H").Out);
    }

    [Theory]
    [InlineData("install", "-m", "x.json")]
    [InlineData("install", "-f", "x.tgz")]
    [InlineData("get")]
    [InlineData("get", "not-a-uuid")]
    [InlineData("delete", "a", "b")]
    [InlineData("list", "-x")]
    [InlineData("list", "nofilter")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var result = Run("imgadm", args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("imgadm: ", result.Error);
    }

    [Fact]
    public void Help_goes_to_stdout_and_no_arguments_is_a_usage_error()
    {
        Assert.Equal(0, Run("imgadm", "--help").ExitCode);
        Assert.Contains("usage: imgadm", Run("imgadm", "help").Out);
        var none = Run("imgadm");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("usage: imgadm", none.Error);
    }

    [Fact]
    public void Unimplemented_commands_are_reported_as_not_supported()
    {
        var result = Run("imgadm", "vacuum");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'imgadm vacuum' is not supported yet", result.Error);
    }

    [Fact]
    public void The_solstice_binary_dispatches_imgadm_by_first_argument()
    {
        Assert.Equal(0, Run("solstice", "imgadm", "list").ExitCode);
    }
}
