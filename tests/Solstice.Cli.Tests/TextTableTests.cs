
namespace Solstice.Cli.Tests;

public class TextTableTests
{
    [Fact]
    public void Pads_columns_with_two_spaces_and_right_aligns_numbers()
    {
        string text = TextTable.Render(["NAME", "USED", "MOUNTPOINT"],
            [["zones", "1.50G", "/zones"], ["zones/abc", "24K", "/zones/abc"]], scripted: false, new HashSet<int> { 1 });
        Assert.Equal("NAME        USED  MOUNTPOINT\nzones      1.50G  /zones\nzones/abc    24K  /zones/abc\n", text);
    }

    [Fact]
    public void Scripted_output_has_tabs_and_no_header()
    {
        string text = TextTable.Render(["NAME", "USED"], [["zones", "1"]], scripted: true);
        Assert.Equal("zones\t1\n", text);
    }
}
