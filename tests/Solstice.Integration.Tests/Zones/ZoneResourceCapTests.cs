using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Metadata;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>What a guest or a client can make the real daemon hold: metadata, and request lines on the node socket.</summary>
[Collection("Zones")]
public sealed class ZoneResourceCapTests
{
    private const int Value = 900_000;

    /// <summary>Resident memory of a process, from /proc.</summary>
    private static long RssBytes(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"no VmRSS for {pid}");
    }

    private static MetadataResponse Put(MetadataClient client, string key, string value)
    {
        Assert.True(client.Execute("PUT", MetadataCodec.PutArgument(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)), hasArgument: true, out var response));
        return response;
    }

    /// <summary>
    /// The report's attack: 80 PUTs of 0.9 MB from inside a zone. The fifth is refused (the default
    /// cap is 4 MiB per VM) with a FAILURE naming the limit, so are the rest, the record on disk
    /// stays small, and the daemon's resident memory stays bounded.
    /// </summary>
    [PrivilegedFact]
    public void A_guest_filling_its_metadata_is_refused_at_the_cap_and_the_daemon_stays_small()
    {
        using var d = new NodeDaemon();
        string zone = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "mdata-cap", ["max_physical_memory"] = 64 });
        long before = RssBytes(d.Pid);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(Path.Combine(d.RunDir, "zonecontrol", zone, "metadata.sock")));
        using var client = new MetadataClient(new NetworkStream(socket));
        Assert.True(client.ActiveReset());
        Assert.True(client.Negotiate());
        Assert.Equal(2, client.Version);

        var refusedAt = new List<int>();
        string? message = null;
        long peak = 0;
        for (int i = 0; i < 80; i++)
        {
            var response = Put(client, $"k{i}", new string((char)('a' + (i % 26)), Value));
            if (response.Code != MetadataResponseCode.Success)
            {
                refusedAt.Add(i);
                message ??= Encoding.UTF8.GetString(response.Data);
            }
            peak = Math.Max(peak, RssBytes(d.Pid));
        }

        Assert.Equal(Enumerable.Range(4, 76), refusedAt);
        Assert.StartsWith("metadata too large: customer_metadata and internal_metadata would hold ", message);
        Assert.EndsWith($"over this node's limit of {4 << 20} bytes per VM", message);
        var vm = d.Get(zone);
        Assert.Equal(["k0", "k1", "k2", "k3"], vm["customer_metadata"]!.AsObject().Select(p => p.Key));

        // The record holds no metadata; the metadata file (root only) holds the 3.6 MB.
        string config = d.Pool.Pool.PathOf(d.Pool.Pool.Root.Child("config"));
        Assert.True(new FileInfo(Path.Combine(config, zone + ".json")).Length < 16 << 10);
        Assert.InRange(new FileInfo(Path.Combine(config, "metadata", zone + ".json")).Length, 4L * Value, 4L << 20);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(config, "metadata")));

        long after = RssBytes(d.Pid);
        Console.WriteLine($"daemon RSS: {before >> 20} MiB before, peak {peak >> 20} MiB, {after >> 20} MiB after 80 PUTs of {Value} bytes");
        Assert.True(peak < 400L << 20, $"daemon RSS peaked at {peak >> 20} MiB");

        // A deleted key makes room again; vmadm update is held to the same cap.
        Assert.True(client.Execute("DELETE", "k3"u8, hasArgument: true, out var deleted));
        Assert.Equal(MetadataResponseCode.Success, deleted.Code);
        var cli = d.RunWithInput("vmadm", new JsonObject { ["set_customer_metadata"] = new JsonObject { ["big"] = new string('z', 2 * Value) } }.ToJsonString(), "update", zone);
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("metadata too large", cli.Error);
        var ok = d.RunWithInput("vmadm", new JsonObject { ["set_customer_metadata"] = new JsonObject { ["small"] = "s" } }.ToJsonString(), "update", zone);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(["k0", "k1", "k2", "small"], d.Get(zone)["customer_metadata"]!.AsObject().Select(p => p.Key));
    }

    /// <summary>metadata.max_total_bytes in the node config holds for vmadm create and update, with a clear error.</summary>
    [PrivilegedFact]
    public void The_node_configs_metadata_cap_holds_for_vmadm_create_and_update()
    {
        using var d = new NodeDaemon();
        d.Stop();
        d.Pool.Config.Metadata = new Solstice.Storage.MetadataConfig { MaxTotalBytes = 2000 };
        d.Pool.Config.Save(d.Pool.ConfigPath);
        d.Start();

        var tooBig = new JsonObject
        {
            ["brand"] = "joyent", ["alias"] = "cap-create", ["max_physical_memory"] = 64, ["autoboot"] = false,
            ["image_uuid"] = BusyboxImage.Uuid, ["customer_metadata"] = new JsonObject { ["user-script"] = new string('s', 2500) },
        };
        var refused = d.RunWithInput("vmadm", tooBig.ToJsonString(), "create");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("metadata too large: customer_metadata and internal_metadata would hold 2511 bytes, over this node's limit of 2000 bytes per VM", refused.Error);
        Assert.DoesNotContain("cap-create", d.Run("vmadm", "list", "-H", "-o", "alias").Out);

        string vm = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "cap-update", ["max_physical_memory"] = 64, ["autoboot"] = false });
        var set = (int n) => new JsonObject { ["set_internal_metadata"] = new JsonObject { ["x_pw"] = new string('p', n) } }.ToJsonString();
        Assert.Equal(0, d.RunWithInput("vmadm", set(1500), "update", vm).ExitCode);
        var over = d.RunWithInput("vmadm", new JsonObject { ["set_customer_metadata"] = new JsonObject { ["more"] = new string('m', 600) } }.ToJsonString(), "update", vm);
        Assert.Equal(1, over.ExitCode);
        Assert.Contains("over this node's limit of 2000 bytes per VM", over.Error);
        Assert.Null(d.Get(vm)["customer_metadata"]!["more"]);
        Assert.Equal(1500, d.Get(vm)["internal_metadata"]!["x_pw"]!.GetValue<string>().Length);
    }

    /// <summary>Ten 100 MB request lines: each is refused at 4 MiB, and the daemon does not keep what it read.</summary>
    [PrivilegedFact]
    public void Oversized_requests_are_refused_and_leave_the_daemon_small()
    {
        using var d = new NodeDaemon();
        byte[] chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
        for (int i = 0; i < 10; i++)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(d.Socket));
            try
            {
                for (int mib = 0; mib < 100; mib++)
                    socket.Send(chunk);
            }
            catch (SocketException)
            {
                // Closed by the daemon after its refusal: expected.
            }
            var reply = new StreamReader(new NetworkStream(socket)).ReadLine();
            Assert.Contains("request too large", reply);
        }
        long rss = RssBytes(d.Pid);
        Console.WriteLine($"daemon RSS after ten 100 MB requests: {rss >> 20} MiB");
        Assert.True(rss < 250L << 20, $"daemon RSS is {rss >> 20} MiB");
        Assert.Equal(0, d.Run("vmadm", "list").ExitCode);
    }
}
