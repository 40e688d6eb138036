using System.Diagnostics;
using Solstice.Linux;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Links;

/// <summary>
/// A private network lab: a "node" namespace of its own holds the bridges and the anti-spoofing
/// table (never the host's), and zones are namespaces made by ZoneNetwork under a temp directory.
/// Disposing destroys every zone namespace and the node namespace, and with them every link,
/// bridge and nft table the test made.
/// </summary>
internal sealed class NetLab : IDisposable
{
    private readonly PrivateNodeNetwork _node;

    public NetLab(params NicTag[] tags) => _node = new PrivateNodeNetwork(tags);

    public NicTagConfig Config => _node.Config;

    public string HostNetns => _node.NodeNetns;

    public ZoneNetwork Network => _node.Network;

    public string Zone(string uuid) => Network.CreateNamespace(uuid);

    public CommandResult In(string netns, params string[] argv) =>
        ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + netns, .. argv]);

    public CommandResult Host(params string[] argv) => In(HostNetns, argv);

    /// <summary>Expected reachability (<see cref="Reachability.Reaches"/>); expected unreachability uses a single <see cref="Ping"/>.</summary>
    public bool Reaches(string fromNetns, string address, string? source = null) =>
        Reachability.Reaches(() => Ping(fromNetns, address, source));

    public bool Ping(string fromNetns, string address, string? source = null) =>
        In(fromNetns, source is null
            ? ["busybox", "ping", "-c", "1", "-W", "1", address]
            : ["busybox", "ping", "-c", "1", "-W", "1", "-I", source, address]).Succeeded;

    /// <summary>True when a TCP connection from one zone to a listener in another carries a line.</summary>
    public bool Tcp(string fromNetns, string toNetns, string address, int port)
    {
        using var listener = Process.Start(new ProcessStartInfo("nsenter", ["--net=" + toNetns, "timeout", "3", "busybox", "nc", "-l", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        })!;
        Thread.Sleep(100);
        var sent = ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + fromNetns, "timeout", "2", "busybox", "nc", "-w", "1", address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], "hello\n");
        listener.StandardInput.Close();
        string received = listener.StandardOutput.ReadToEnd();
        listener.WaitForExit();
        return sent.Succeeded && received.Contains("hello", StringComparison.Ordinal);
    }

    public void Dispose() => _node.Dispose();
}
