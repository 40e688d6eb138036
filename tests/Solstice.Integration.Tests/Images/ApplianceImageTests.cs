using System.Net;
using System.Text.Json.Nodes;
using Solstice.Images;
using Solstice.Images.Imgapi;
using Solstice.Integration.Tests.Zones;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Images;

/// <summary>
/// The appliance flow on two real nodes (each a solsticed on its own loop pool): a zone is
/// prepared through zlogin, stopped and made into an image with imgadm create; a zone made from
/// that image on the same node has the changes, and so does one on a second node that imported
/// the image over IMGAPI on loopback.
/// </summary>
[Collection("Zones")]
[Trait("Category", "Privileged")]
public sealed class ApplianceImageTests
{
    private const string Config = "listen=8080\nmode=appliance\n";

    private static JsonObject Joyent(string alias, string? image = null) =>
        new() { ["brand"] = "joyent", ["alias"] = alias, ["max_physical_memory"] = 128, ["image_uuid"] = image };

    [PrivilegedFact]
    public void A_prepared_zone_becomes_an_image_that_zones_on_this_and_another_node_start_from()
    {
        using var nodeA = new NodeDaemon();
        using var nodeB = new NodeDaemon();

        string prepared = nodeA.Create(Joyent("appliance-build"));
        Assert.Equal(0, Zlogin(nodeA, prepared, $"mkdir -p /opt/app && printf '{Config.Replace("\n", "\\n", StringComparison.Ordinal)}' > /opt/app/app.conf"));
        Assert.Equal(0, Zlogin(nodeA, prepared, "printf '#!/bin/sh\\necho appliance up\\n' > /opt/app/run && chmod 0750 /opt/app/run"));
        Assert.Equal(0, Zlogin(nodeA, prepared, "echo data > /opt/app/state && chown 65534:65534 /opt/app/state"));
        Assert.Equal(0, Zlogin(nodeA, prepared, "rmdir /home"));
        var stop = nodeA.Run("vmadm", "stop", prepared);
        Assert.True(stop.ExitCode == 0, stop.Error);

        string output = Path.Combine(nodeA.Pool.Directory, "out");
        Directory.CreateDirectory(output);
        string prefix = Path.Combine(output, "appliance-1.0");
        var create = nodeA.Run("imgadm", "create", "-c", "gzip", "-o", prefix, prepared, "name=appliance", "version=1.0");
        Assert.True(create.ExitCode == 0, create.Error);
        var manifest = ImageManifest.Parse(File.ReadAllText(prefix + ".json"), "imgadm create");
        var install = nodeA.Run("imgadm", "install", "-q", "-m", prefix + ".json", "-f", prefix + ".tar.gz");
        Assert.True(install.ExitCode == 0, install.Error);

        string local = nodeA.Create(Joyent("appliance-a", manifest.Uuid.ToString()));
        AssertPrepared(nodeA, local);

        using var server = new ImgapiServer(new ImageStore(nodeA.Pool.Pool), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        Assert.Equal(0, nodeB.Run("imgadm", "sources", "-a", server.Url).ExitCode);
        var import = nodeB.Run("imgadm", "import", "-q", manifest.Uuid.ToString());
        Assert.True(import.ExitCode == 0, import.Error);
        string remote = nodeB.Create(Joyent("appliance-b", manifest.Uuid.ToString()));
        AssertPrepared(nodeB, remote);

        Assert.Equal(0, nodeA.Run("vmadm", "delete", local).ExitCode);
        Assert.Equal(0, nodeA.Run("vmadm", "delete", prepared).ExitCode);
        Assert.Equal(0, nodeB.Run("vmadm", "delete", remote).ExitCode);
    }

    private static int Zlogin(NodeDaemon node, string vm, string script)
    {
        var (exitCode, output) = node.Zlogin(vm, "sh", "-c", script);
        Assert.True(exitCode == 0, $"zlogin {vm} '{script}': {output}");
        return exitCode;
    }

    private static void AssertPrepared(NodeDaemon node, string vm)
    {
        Assert.Equal("running", node.Get(vm)["state"]!.GetValue<string>());
        Assert.Equal((0, Config), node.Zlogin(vm, "cat", "/opt/app/app.conf"));
        Assert.Equal((0, "appliance up\n"), node.Zlogin(vm, "/opt/app/run"));
        Assert.Equal((0, "750 0:0\n"), node.Zlogin(vm, "stat", "-c", "%a %u:%g", "/opt/app/run"));
        Assert.Equal((0, "65534:65534 data\n"), node.Zlogin(vm, "sh", "-c", "stat -c %u:%g /opt/app/state | tr '\\n' ' '; cat /opt/app/state"));
        Assert.NotEqual(0, node.Zlogin(vm, "test", "-e", "/home").ExitCode);
        Assert.Equal((0, "ok\n"), node.Zlogin(vm, "sh", "-c", "echo ok"));
    }
}
