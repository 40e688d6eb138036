using System.Text.Json.Nodes;
using Solstice.Node;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Daemon;

/// <summary>VM records and their metadata files in a temp directory (needs no root).</summary>
public sealed class VmRepositoryTests : IDisposable
{
    private const string Uuid = "6f0ad4d2-1b5e-4d55-9f0c-3f5e0b1b2c3d";
    private readonly TempDirectory _dir = new("solstice-repo");

    public void Dispose() => _dir.Dispose();

    private string RecordPath => _dir.Combine(Uuid + ".json");

    private string MetadataPath => _dir.Combine("metadata", Uuid + ".json");

    private static VmRecord Record(string value, string alias = "a", VmPhase phase = VmPhase.Ready) => new(Uuid, phase, new JsonObject
    {
        ["alias"] = alias,
        ["brand"] = "joyent",
        ["customer_metadata"] = new JsonObject { ["k"] = value },
        ["internal_metadata"] = new JsonObject { ["root_pw"] = "pw" },
        ["uuid"] = Uuid,
        ["zonepath"] = "/zones/" + Uuid,
    });

    [Fact]
    public void Metadata_is_stored_apart_from_the_record_and_read_back_in_place()
    {
        var repository = new VmRepository(_dir.Path);
        repository.Save(Record("v1"));

        var record = JsonNode.Parse(File.ReadAllText(RecordPath))!;
        Assert.Null(record["vm"]!["customer_metadata"]);
        Assert.Null(record["vm"]!["internal_metadata"]);
        Assert.Equal("a", record["vm"]!["alias"]!.GetValue<string>());
        var metadata = JsonNode.Parse(File.ReadAllText(MetadataPath))!;
        Assert.Equal("v1", metadata["customer_metadata"]!["k"]!.GetValue<string>());
        Assert.Equal("pw", metadata["internal_metadata"]!["root_pw"]!.GetValue<string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir.Combine("metadata")));

        var loaded = new VmRepository(_dir.Path).Find(Uuid)!;
        Assert.Equal(Record("v1").Vm.ToJsonString(), loaded.Vm.ToJsonString());
    }

    [Fact]
    public void A_provisioning_record_is_written_alone_and_its_metadata_with_the_next_save()
    {
        var repository = new VmRepository(_dir.Path);
        repository.SaveProvisioning(Record("v1", phase: VmPhase.Provisioning));
        Assert.True(File.Exists(RecordPath));
        Assert.False(File.Exists(MetadataPath));
        Assert.Equal("provisioning", JsonNode.Parse(File.ReadAllText(RecordPath))!["phase"]!.GetValue<string>());
        // A crash now: the record comes back (for recovery to roll back), without metadata.
        Assert.Equal(VmPhase.Provisioning, new VmRepository(_dir.Path).Find(Uuid)!.Phase);

        repository.Save(Record("v1"));
        Assert.Equal("v1", JsonNode.Parse(File.ReadAllText(MetadataPath))!["customer_metadata"]!["k"]!.GetValue<string>());
        Assert.Equal(Record("v1").Vm.ToJsonString(), new VmRepository(_dir.Path).Find(Uuid)!.Vm.ToJsonString());
        Assert.Throws<InvalidOperationException>(() => repository.SaveProvisioning(Record("v2", phase: VmPhase.Provisioning)));
    }

    [Fact]
    public void A_change_without_metadata_leaves_the_metadata_file_alone()
    {
        var repository = new VmRepository(_dir.Path);
        repository.Save(Record("v1"));
        var written = File.GetLastWriteTimeUtc(MetadataPath);
        ulong inode = Solstice.Linux.Interop.FileStat.Inode(MetadataPath)!.Value;

        repository.Save(Record("v1", alias: "b"));

        // AtomicFile replaces by rename: an unchanged inode means the file was not rewritten.
        Assert.Equal(inode, Solstice.Linux.Interop.FileStat.Inode(MetadataPath));
        Assert.Equal(written, File.GetLastWriteTimeUtc(MetadataPath));
        Assert.Equal("b", new VmRepository(_dir.Path).Find(Uuid)!.Vm["alias"]!.GetValue<string>());
    }

    [Fact]
    public void After_a_crash_between_the_two_writes_the_newer_metadata_file_wins()
    {
        var repository = new VmRepository(_dir.Path);
        repository.Save(Record("old"));
        // The metadata file is written first; the record still holds what it held.
        File.WriteAllText(MetadataPath, "{\"customer_metadata\":{\"k\":\"new\"},\"internal_metadata\":{}}");
        File.WriteAllText(_dir.Combine("metadata", $".{Uuid}.json.1.x.tmp"), "partial");

        var loaded = new VmRepository(_dir.Path).Find(Uuid)!;

        Assert.Equal("new", loaded.Vm["customer_metadata"]!["k"]!.GetValue<string>());
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("metadata"), ".*.tmp"));
    }

    [Fact]
    public void A_record_from_before_the_split_keeps_its_inline_metadata()
    {
        var legacy = new JsonObject { ["phase"] = "ready", ["vm"] = Record("inline").Vm };
        File.WriteAllText(RecordPath, legacy.ToJsonString());

        var repository = new VmRepository(_dir.Path);
        Assert.Equal("inline", repository.Find(Uuid)!.Vm["customer_metadata"]!["k"]!.GetValue<string>());
        Assert.True(File.Exists(MetadataPath));

        // The next save drops the metadata from the record; it survives in its own file.
        repository.Save(Record("inline", alias: "c"));
        Assert.Null(JsonNode.Parse(File.ReadAllText(RecordPath))!["vm"]!["customer_metadata"]);
        Assert.Equal("inline", new VmRepository(_dir.Path).Find(Uuid)!.Vm["customer_metadata"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public void Remove_deletes_both_files_and_an_orphaned_metadata_file_is_removed_on_load()
    {
        var repository = new VmRepository(_dir.Path);
        repository.Save(Record("v"));
        repository.Remove(Uuid);
        Assert.False(File.Exists(RecordPath));
        Assert.False(File.Exists(MetadataPath));

        repository.Save(Record("v"));
        File.Delete(RecordPath); // killed between the two deletes
        Assert.Null(new VmRepository(_dir.Path).Find(Uuid));
        Assert.False(File.Exists(MetadataPath));
    }
}
