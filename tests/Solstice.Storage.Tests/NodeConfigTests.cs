using Solstice.Core;
using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Storage.Tests;

public class NodeConfigTests
{
    [Fact]
    public void Missing_file_gives_the_embedded_loop_pool()
    {
        using var dir = new TempDirectory();
        var config = NodeConfig.Load(dir.Combine("absent.json"));
        var pool = Assert.Single(config.Pools);
        Assert.Equal("zones", pool.Name);
        Assert.Equal("/zones", pool.Mountpoint);
        Assert.Equal(NodeConfig.DefaultPoolFile, pool.File);
        Assert.Equal("btrfs", pool.Driver);
    }

    [Fact]
    public void Round_trips_through_an_atomic_write()
    {
        using var dir = new TempDirectory();
        var config = new NodeConfig { Pools = [new PoolConfig { Name = "tank", Device = "/dev/vdb", Mountpoint = "/tank" }] };
        config.Save(dir.Combine("node.json"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        var loaded = NodeConfig.Load(dir.Combine("node.json"));
        Assert.Equal("/dev/vdb", loaded.Pool("tank").Device);
        Assert.Contains("\"mountpoint\"", File.ReadAllText(dir.Combine("node.json")));
    }

    [Fact]
    public void Every_config_error_is_listed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("node.json"), """
            {"pools":[{"name":"../x","driver":"zfs","mountpoint":"rel","file":"/a","device":"/b","size":"lots"}]}
            """);
        var ex = Assert.Throws<SolsticeException>(() => NodeConfig.Load(dir.Combine("node.json")));
        Assert.Contains("pool name '../x'", ex.Message);
        Assert.Contains("unknown driver 'zfs'", ex.Message);
        Assert.Contains("set file or device, not both", ex.Message);
        Assert.Contains("invalid size 'lots'", ex.Message);
        Assert.Contains("mountpoint must be absolute", ex.Message);
    }

    [Fact]
    public void The_metadata_section_is_read_and_checked()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("node.json"), """
            {"metadata":{"requests_per_second":500,"burst":20,"max_value_bytes":4096}}
            """);
        var metadata = NodeConfig.Load(dir.Combine("node.json")).Metadata!;
        Assert.Equal(500, metadata.RequestsPerSecond);
        Assert.Equal(20, metadata.Burst);
        Assert.Equal(4096, metadata.MaxValueBytes);
        Assert.Null(metadata.MaxConnections);

        File.WriteAllText(dir.Combine("node.json"), """
            {"metadata":{"requests_per_second":0,"burst":-1,"max_value_bytes":0,"max_connections":0}}
            """);
        var ex = Assert.Throws<SolsticeException>(() => NodeConfig.Load(dir.Combine("node.json")));
        Assert.Contains("metadata.requests_per_second must be positive", ex.Message);
        Assert.Contains("metadata.burst must be positive", ex.Message);
        Assert.Contains("metadata.max_value_bytes must be positive", ex.Message);
        Assert.Contains("metadata.max_connections must be positive", ex.Message);
    }

    [Fact]
    public void The_caps_on_metadata_per_vm_and_on_image_expansion_are_read_and_checked()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("node.json"), """
            {"metadata":{"max_total_bytes":1048576},"images":{"max_expanded_bytes":17179869184,"max_files":300000,"max_expansion_ratio":50}}
            """);
        var config = NodeConfig.Load(dir.Combine("node.json"));
        Assert.Equal(1048576, config.Metadata!.MaxTotalBytes);
        Assert.Equal(17179869184, config.Images!.MaxExpandedBytes);
        Assert.Equal(300000, config.Images.MaxFiles);
        Assert.Equal(50, config.Images.MaxExpansionRatio);

        File.WriteAllText(dir.Combine("node.json"), """
            {"metadata":{"max_total_bytes":0},"images":{"max_expanded_bytes":0,"max_files":-1,"max_expansion_ratio":0}}
            """);
        var ex = Assert.Throws<SolsticeException>(() => NodeConfig.Load(dir.Combine("node.json")));
        Assert.Contains("metadata.max_total_bytes must be positive", ex.Message);
        Assert.Contains("images.max_expanded_bytes must be positive", ex.Message);
        Assert.Contains("images.max_files must be positive", ex.Message);
        Assert.Contains("images.max_expansion_ratio must be positive", ex.Message);
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("node.json"), "{not json");
        var ex = Assert.Throws<SolsticeException>(() => NodeConfig.Load(dir.Combine("node.json")));
        Assert.StartsWith($"invalid node config {dir.Combine("node.json")}", ex.Message);
    }

    [Fact]
    public void Mountinfo_lines_are_parsed_with_escapes()
    {
        var entries = Mounts.Parse([
            "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - btrfs /dev/loop3 rw,space_cache",
            "25 1 0:22 / /proc rw,nosuid shared:13 - proc proc rw",
            "garbage",
        ]);
        Assert.Equal(2, entries.Count);
        Assert.Equal(new MountEntry("/mnt/with space", "btrfs", "/dev/loop3"), entries[0]);
    }
}
