using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Zones;

[Collection("Zones")]
public sealed class VmadmEventsTests(NodeDaemonFixture fixture) : IClassFixture<NodeDaemonFixture>
{
    private NodeDaemon D => fixture.Daemon;

    [PrivilegedFact]
    public void Events_stream_create_modify_and_delete()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "solstice.dll"), "vmadm", "events", "-j", "-r" })
            info.ArgumentList.Add(arg);
        info.Environment["SOLSTICE_SOCKET"] = D.Socket;
        info.Environment["SOLSTICE_CONFIG"] = D.Pool.ConfigPath;
        using var events = Process.Start(info)!;
        var lines = new List<JsonObject>();
        var reader = Task.Run(() =>
        {
            while (events.StandardOutput.ReadLine() is { } line)
            {
                lock (lines)
                    lines.Add((JsonObject)JsonNode.Parse(line)!);
            }
        });
        try
        {
            WaitFor(lines, l => l["type"]!.GetValue<string>() == "ready");
            string uuid = D.Create(new JsonObject { ["brand"] = "joyent", ["alias"] = "evented", ["max_physical_memory"] = 64 });
            WaitFor(lines, l => l["type"]!.GetValue<string>() == "create" && l["uuid"]!.GetValue<string>() == uuid);
            D.Run("vmadm", "stop", uuid);
            var stopped = WaitFor(lines, l => l["type"]!.GetValue<string>() == "modify"
                && l["changes"]!.AsArray().Any(c => c!["path"]!.ToJsonString().Contains("state") && c["newValue"]?.GetValue<string>() == "stopped"));
            Assert.Equal(uuid, stopped["uuid"]!.GetValue<string>());
            D.Run("vmadm", "delete", uuid);
            WaitFor(lines, l => l["type"]!.GetValue<string>() == "delete" && l["uuid"]!.GetValue<string>() == uuid);
        }
        finally
        {
            events.Kill();
            events.WaitForExit();
        }
    }

    private static JsonObject WaitFor(List<JsonObject> lines, Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            lock (lines)
            {
                if (lines.FirstOrDefault(match) is { } found)
                    return found;
            }
            Thread.Sleep(50);
        }
        lock (lines)
            throw new Xunit.Sdk.XunitException("event not seen; got:\n" + string.Join("\n", lines.Select(l => l.ToJsonString())));
    }
}
