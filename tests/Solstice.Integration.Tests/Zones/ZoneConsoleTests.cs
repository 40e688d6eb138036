using System.Text;
using System.Text.Json.Nodes;
using Solstice.Cli.Node;
using Solstice.Core.Protocol;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

/// <summary>The interactive console, through the daemon, and its survival across a daemon SIGKILL.</summary>
[Collection("Zones")]
public sealed class ZoneConsoleTests
{
    [PrivilegedFact]
    public void Console_is_interactive_and_survives_a_daemon_restart()
    {
        using var d = new NodeDaemon();
        string uuid = d.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "tty", ["max_physical_memory"] = 64 });
        Assert.Contains("MARK-42", Converse(d, uuid, "echo MARK-$((6*7))\r", "MARK-42"));
        d.Kill();
        d.Start();
        Assert.Contains("AGAIN-43", Converse(d, uuid, "echo AGAIN-$((6*7+1))\r", "AGAIN-43"));
        Assert.Contains("MARK-42", File.ReadAllText(d.ConsoleLogPath(uuid)));
        var stopped = d.Run("vmadm", "stop", uuid);
        Assert.Equal(0, stopped.ExitCode);
        var refused = d.Run("vmadm", "console", uuid);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("has no console", refused.Error);
    }

    private static string Converse(NodeDaemon d, string uuid, string keys, string expected)
    {
        using var client = NodeClient.Connect(d.Socket);
        client.Send(NodeProtocol.Request(NodeOps.VmConsole, new JsonObject { ["uuid"] = uuid }));
        var reply = new List<byte>();
        int b;
        while ((b = client.Stream.ReadByte()) >= 0 && b != '\n')
            reply.Add((byte)b);
        Assert.Contains("\"ok\":true", Encoding.UTF8.GetString(reply.ToArray()));
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow.AddSeconds(15);
        client.Stream.Write(Encoding.ASCII.GetBytes(keys));
        var read = client.Stream.ReadAsync(buffer).AsTask();
        while (DateTime.UtcNow < deadline)
        {
            if (!read.Wait(TimeSpan.FromMilliseconds(500)))
                continue;
            if (read.Result == 0)
                break;
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read.Result));
            // The echo of the typed line contains the expression, not its value.
            if (seen.ToString().Split('\n').Any(l => l.Trim() == expected))
                return seen.ToString();
            read = client.Stream.ReadAsync(buffer).AsTask();
        }
        throw new Xunit.Sdk.XunitException($"console never printed {expected}; saw: {seen}");
    }
}
