using Solstice.Core;

namespace Solstice.Storage.Tests;

public class DatasetNameTests
{
    [Theory]
    [InlineData("zones", "zones", "", null)]
    [InlineData("zones/a", "zones", "a", null)]
    [InlineData("zones/a/b-c_d.e:f", "zones", "a/b-c_d.e:f", null)]
    [InlineData("zones/a@snap-1", "zones", "a", "snap-1")]
    [InlineData("zones@root", "zones", "", "root")]
    public void Parses_valid_names(string text, string pool, string relative, string? snapshot)
    {
        var name = DatasetName.Parse(text);
        Assert.Equal(pool, name.Pool);
        Assert.Equal(relative, name.Relative);
        Assert.Equal(snapshot, name.Snapshot);
        Assert.Equal(text, name.ToString());
    }

    [Theory]
    [InlineData("", "empty name")]
    [InlineData("zones/../etc", "'..' is not a valid")]
    [InlineData("zones/./a", "'.' is not a valid")]
    [InlineData("zones//a", "empty dataset name component")]
    [InlineData("zones/a/", "empty dataset name component")]
    [InlineData("/zones/a", "empty pool name")]
    [InlineData("zones/.snapshots", "must not begin with '.'")]
    [InlineData("zones/a b", "invalid character ' '")]
    [InlineData("zones/a@b@c", "multiple '@'")]
    [InlineData("zones/a@", "empty snapshot name")]
    [InlineData("zones/a@../x", "must not begin with '.'")]
    [InlineData("zones/a@b/c", "invalid character '/'")]
    [InlineData("1zones", "must begin with a letter")]
    [InlineData("zones/a\0b", "invalid character")]
    public void Rejects_invalid_names_with_reason(string text, string reason)
    {
        Assert.False(DatasetName.TryParse(text, out _, out string? error));
        Assert.Contains(reason, error);
        var ex = Assert.Throws<SolsticeException>(() => DatasetName.Parse(text));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public void Rejects_names_longer_than_zfs_allows()
    {
        string longName = "zones/" + string.Join('/', Enumerable.Repeat(new string('a', 100), 3));
        Assert.False(DatasetName.TryParse(longName, out _, out string? error));
        Assert.Contains("too long", error);
        Assert.False(DatasetName.TryParse("zones/" + new string('a', 201), out _, out _));
    }

    [Fact]
    public void Parent_and_child_walk_the_tree()
    {
        var name = DatasetName.Parse("zones/a/b");
        Assert.Equal("zones/a", name.Parent!.ToString());
        Assert.Equal("zones", name.Parent!.Parent!.ToString());
        Assert.Null(name.Parent!.Parent!.Parent);
        Assert.Equal("zones/a/b/c", name.Child("c").ToString());
    }
}
