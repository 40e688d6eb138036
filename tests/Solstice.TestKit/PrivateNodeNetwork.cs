using Solstice.Core;
using Solstice.Linux;
using Solstice.Network.Links;

namespace Solstice.TestKit;

/// <summary>
/// A ZoneNetwork whose "node" is a network namespace of its own (never the host's): bridges and the
/// anti-spoofing table live there, zone namespaces under a temp directory. Disposing destroys every
/// zone namespace and the node namespace, and with them every link, bridge and nft table made.
/// </summary>
public sealed class PrivateNodeNetwork : IDisposable
{
    private readonly TempDirectory _dir;

    public PrivateNodeNetwork(IEnumerable<NicTag> tags, ICommandRunner? runner = null, string prefix = "solstice-netlab")
    {
        _dir = new TempDirectory(prefix);
        NodeNetns = _dir.Combine("node");
        File.WriteAllBytes(NodeNetns, []);
        NetworkNamespace.Create(NodeNetns, () =>
        {
            using var links = Solstice.Linux.Netlink.RouteNetlink.Open();
            links.SetLink("lo", up: true);
            links.Commit();
        });
        Config = new NicTagConfig(tags);
        Network = new ZoneNetwork(runner ?? ProcessCommandRunner.Instance, Config.Find, new ZoneNetworkOptions
        {
            NetnsDirectory = _dir.Combine("netns"),
            HostNetnsPath = NodeNetns,
        });
    }

    /// <summary>The node namespace's bind-mounted file.</summary>
    public string NodeNetns { get; }

    public NicTagConfig Config { get; }

    public ZoneNetwork Network { get; }

    public void Dispose()
    {
        string zones = Network.Options.NetnsDirectory;
        foreach (string netns in Directory.Exists(zones) ? Directory.GetFiles(zones) : [])
        {
            try
            {
                Network.DestroyNamespace(Path.GetFileName(netns));
            }
            catch (Exception ex) when (ex is SolsticeException or IOException)
            {
                // keep cleaning up
            }
        }
        Network.Dispose();
        Solstice.Linux.Interop.Libc.Umount2(NodeNetns, 2 /* MNT_DETACH */);
        _dir.Dispose();
    }
}
