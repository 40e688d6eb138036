using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>nictagadm through the real CLI and daemon: a tag's bridges come and go with it.</summary>
[Collection("Zones")]
public sealed class NicTagTests
{
    private static bool LinkExists(string name) => ProcessCommandRunner.Instance.Run(["ip", "link", "show", "dev", name]).Succeeded;

    [PrivilegedFact]
    public void Delete_with_f_removes_the_tag_and_every_bridge_of_it()
    {
        string tag = "d" + Guid.NewGuid().ToString("N")[..6];
        string kept = "k" + Guid.NewGuid().ToString("N")[..6];
        using var d = new NodeDaemon();
        try
        {
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", tag).ExitCode);
            Assert.Equal(0, d.Run("nictagadm", "add", "-l", kept).ExitCode);
            Assert.True(LinkExists($"sst{tag}"));
            // A VLAN's own bridge, as a zone on VLAN 5 makes it where bridges do not filter VLANs.
            Assert.True(ProcessCommandRunner.Instance.Run(["ip", "link", "add", $"sst{tag}.5", "type", "bridge"]).Succeeded);

            var deleted = d.Run("nictagadm", "delete", "-f", tag);
            Assert.True(deleted.ExitCode == 0, deleted.Error);
            Assert.Equal("", deleted.Error);
            Assert.False(LinkExists($"sst{tag}"));
            Assert.False(LinkExists($"sst{tag}.5"));
            Assert.True(LinkExists($"sst{kept}"));
            Assert.Equal(1, d.Run("nictagadm", "exists", tag).ExitCode);

            Assert.Equal(0, d.Run("nictagadm", "delete", kept).ExitCode);
            Assert.False(LinkExists($"sst{kept}"));
        }
        finally
        {
            foreach (string name in new[] { $"sst{tag}", $"sst{tag}.5", $"sst{kept}" })
                ProcessCommandRunner.Instance.Run(["ip", "link", "del", name]);
        }
    }
}
