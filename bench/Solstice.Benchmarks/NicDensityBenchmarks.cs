using System.Globalization;
using Solstice.Network.Firewall.Nft;
using Solstice.Network.Links;
using Solstice.TestKit;

namespace Solstice.Benchmarks;

/// <summary>
/// Whether nic add slows down as the node fills: one nic each into `nics` zones on one bridge, in a
/// private node namespace (no host links or tables are touched), comparing the first 30 adds with
/// the last 30 (back to back, then again paced); nic remove at full density; and the anti-spoofing
/// table's share of add and remove.
/// </summary>
public static class NicDensityBenchmarks
{
    private const int Window = 30;

    public static void Run(int nics)
    {
        using var lab = new PrivateNodeNetwork([new NicTag("sstdense", NicTagKind.Local)], prefix: "solstice-nicdensity");
        var net = lab.Network;
        var first = new Samples($"nic add, nics 1-{Math.Min(Window, nics)}");
        var last = new Samples($"nic add, nics {Math.Max(1, nics - Window + 1)}-{nics}");
        for (int i = 0; i < nics; i++)
        {
            string uuid = Uuid(i);
            string path = net.CreateNamespace(uuid);
            var samples = i < Window ? first : i >= nics - Window ? last : null;
            if (samples is null)
                net.AddNic(uuid, path, Nic(i), 0);
            else
                samples.Time(() => net.AddNic(uuid, path, Nic(i), 0));
        }
        Console.WriteLine(first);
        Console.WriteLine(last);
        var remove = new Samples($"nic remove, {nics} nics on the node");
        for (int i = nics - 1; i >= Math.Max(0, nics - Window); i--)
            remove.Time(() => net.RemoveNic(Uuid(i), 0));
        Console.WriteLine(remove);
        // Back to back, each add may also pay for kernel work the previous ones deferred; paced,
        // an add pays for itself.
        var paced = new Samples($"nic add, {nics} nics, 200 ms apart");
        for (int i = Math.Max(0, nics - Window); i < nics; i++)
        {
            Thread.Sleep(200);
            paced.Time(() => net.AddNic(Uuid(i), net.NamespacePath(Uuid(i)), Nic(i), 0));
        }
        Console.WriteLine(paced);
        AntiSpoofAlone(lab.NodeNetns, nics);
    }

    /// <summary>
    /// The anti-spoofing share of nic add and remove: one port's elements added and deleted through a
    /// kept libnftables session, in a table of its own that already holds 0 or `nics` ports.
    /// </summary>
    private static void AntiSpoofAlone(string node, int nics)
    {
        using var applier = new AntiSpoofApplier(LibNftablesLoader.Instance, node, "solstice_density");
        try
        {
            foreach (int loaded in new[] { 0, nics })
            {
                applier.Apply(Enumerable.Range(0, loaded).Select(Port));
                var add = new Samples($"  antispoof add alone, {loaded} ports loaded");
                var remove = new Samples($"  antispoof remove alone, {loaded} ports loaded");
                for (int i = 0; i < Window; i++)
                {
                    var port = Port(nics + i);
                    add.Time(() => applier.Add([port]));
                    remove.Time(() => applier.Remove([port]));
                }
                Console.WriteLine(add);
                Console.WriteLine(remove);
            }
        }
        finally
        {
            applier.Remove();
        }
    }

    private static AntiSpoofPort Port(int i) => AntiSpoofPort.For(LinkNames.HostLink(Uuid(i), 0), Nic(i));

    private static NicSpec Nic(int i) => new()
    {
        Mac = string.Create(CultureInfo.InvariantCulture, $"02:00:00:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}"),
        NicTag = "sstdense",
        Ips = [IpCidr.Parse(string.Create(CultureInfo.InvariantCulture, $"10.97.{i / 250}.{(i % 250) + 1}/16"))],
        Primary = true,
    };

    private static string Uuid(int i) => string.Create(CultureInfo.InvariantCulture, $"dddddddd-0000-4000-8000-{i:D12}");
}
