using System.Text.Json;
using Solstice.Core;
using Solstice.Instances.Hvm.Qmp;

namespace Solstice.Instances.Tests.Hvm;

public class QmpClientTests
{
    [Fact]
    public async Task Connect_reads_the_greeting_and_negotiates_capabilities()
    {
        await using var server = new FakeQmpServer((_, _) => Task.CompletedTask);
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        Assert.Equal("7.2.22", qmp.Version.ToString());
        Assert.Equal("Debian 1:7.2+dfsg-7", qmp.Version.Package);
        Assert.Equal("qmp_capabilities", server.Requests[0].GetProperty("execute").GetString());
    }

    [Fact]
    public async Task Typed_queries_parse_QEMUs_answers()
    {
        await using var server = new FakeQmpServer(async (request, w) =>
        {
            string answer = request.GetProperty("execute").GetString() switch
            {
                "query-status" => """{"status": "running", "singlestep": false, "running": true}""",
                "query-block" => """[{"device": "", "qdev": "disk0-dev", "locked": false, "removable": false, "inserted": {"node-name": "disk0", "ro": false, "drv": "raw", "file": "/d.raw", "image": {"virtual-size": 1048576, "filename": "/d.raw", "format": "raw"}}}]""",
                "query-cpus-fast" => """[{"thread-id": 1234, "props": {"core-id": 0}, "qom-path": "/machine/unattached/device[0]", "cpu-index": 0, "target": "x86_64"}]""",
                "query-pci" => """[{"bus": 0, "devices": [{"bus": 0, "qdev_id": "disk0-dev", "slot": 4, "class_info": {"class": 256, "desc": "SCSI controller"}, "id": {"device": 4097, "vendor": 6900, "subsystem": 2, "subsystem-vendor": 6900}, "function": 0, "regions": []}]}]""",
                "query-chardev" => """[{"frontend-open": true, "filename": "unix:/run/m.sock,server=on", "label": "metadata"}]""",
                "query-vnc" => """{"enabled": true, "host": "", "service": "/run/vnc.sock", "family": "unix", "auth": "vnc", "clients": []}""",
                _ => "{}",
            };
            await w.WriteLineAsync($$"""{"return": {{answer}}, "id": {{FakeQmpServer.Id(request)}}}""");
        });
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        Assert.Equal(new QmpStatus(true, "running"), await qmp.QueryStatusAsync());
        var block = Assert.Single(await qmp.QueryBlockAsync());
        Assert.Equal(("disk0", 1048576L), (block.Inserted!.NodeName, block.Inserted.Image!.VirtualSize));
        Assert.Equal(1234, Assert.Single(await qmp.QueryCpusFastAsync()).ThreadId);
        var pci = Assert.Single(Assert.Single(await qmp.QueryPciAsync()).Devices);
        Assert.Equal(("disk0-dev", 4, 256, 6900), (pci.QdevId, pci.Slot, pci.ClassInfo.Class, pci.Id.Vendor));
        Assert.True(Assert.Single(await qmp.QueryChardevAsync()).FrontendOpen);
        Assert.Equal(("vnc", "/run/vnc.sock"), ((await qmp.QueryVncAsync()).Auth, (await qmp.QueryVncAsync()).Service));
    }

    [Fact]
    public async Task Commands_send_their_arguments()
    {
        await using var server = new FakeQmpServer((r, w) => w.WriteLineAsync($$"""{"return": {}, "id": {{FakeQmpServer.Id(r)}}}"""));
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        await qmp.BlockResizeAsync("disk0", 2 << 20);
        await qmp.SetVncPasswordAsync("pw\"x");
        await qmp.ScreendumpAsync("/tmp/s.png");
        await qmp.SystemPowerdownAsync();
        var sent = server.Requests.Skip(1).Select(r => r.GetRawText()).ToList();
        Assert.Equal("""{"execute":"block_resize","arguments":{"node-name":"disk0","size":2097152},"id":2}""", sent[0]);
        Assert.Equal("""{"execute":"set_password","arguments":{"protocol":"vnc","password":"pw\u0022x"},"id":3}""", sent[1]);
        Assert.Equal("""{"execute":"screendump","arguments":{"filename":"/tmp/s.png","format":"png"},"id":4}""", sent[2]);
        Assert.Equal("""{"execute":"system_powerdown","id":5}""", sent[3]);
    }

    [Fact]
    public async Task An_error_answer_throws_with_its_class_and_description()
    {
        await using var server = new FakeQmpServer((r, w) => w.WriteLineAsync(
            $$"""{"error": {"class": "GenericError", "desc": "Cannot find device='nope' nor node-name='nope'"}, "id": {{FakeQmpServer.Id(r)}}}"""));
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        var ex = await Assert.ThrowsAsync<QmpException>(() => qmp.BlockResizeAsync("nope", 1));
        Assert.Equal("GenericError", ex.Class);
        Assert.Equal("QEMU refused 'block_resize': Cannot find device='nope' nor node-name='nope'", ex.Message);
        Assert.True(qmp.IsConnected);
    }

    [Fact]
    public async Task Events_are_surfaced_apart_from_answers_and_answers_match_by_id()
    {
        var held = new List<JsonElement>();
        await using var server = new FakeQmpServer(async (r, w) =>
        {
            held.Add(r);
            if (held.Count < 2)
                return;
            // Answer the second request first, with an event in between.
            await w.WriteLineAsync($$"""{"return": {"status": "paused", "running": false}, "id": {{FakeQmpServer.Id(held[1])}}}""");
            await w.WriteLineAsync("""{"timestamp": {"seconds": 1700000000, "microseconds": 5}, "event": "POWERDOWN"}""");
            await w.WriteLineAsync($$"""{"return": {}, "id": {{FakeQmpServer.Id(held[0])}}}""");
        });
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        var powerdown = qmp.SystemPowerdownAsync();
        await Task.Delay(100);
        var status = qmp.QueryStatusAsync();
        Assert.Equal("paused", (await status).Status);
        await powerdown;
        var ev = await qmp.Events.ReadAsync();
        Assert.Equal("POWERDOWN", ev.Name);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(50), ev.Timestamp);
        Assert.Equal(JsonValueKind.Undefined, ev.Data.ValueKind);
    }

    [Fact]
    public async Task A_command_without_answer_times_out_with_a_sentence()
    {
        await using var server = new FakeQmpServer((_, _) => Task.CompletedTask);
        await using var qmp = await QmpClient.ConnectAsync(server.Path);
        var ex = await Assert.ThrowsAsync<SolsticeException>(() => qmp.ExecuteAsync("query-status", timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
        Assert.StartsWith("QEMU did not answer 'query-status' on ", ex.Message);
    }

    [Fact]
    public async Task An_oversized_message_closes_the_connection_and_fails_waiting_commands()
    {
        await using var server = new FakeQmpServer((r, w) => w.WriteLineAsync($$"""{"return": "{{new string('x', 100_000)}}", "id": {{FakeQmpServer.Id(r)}}}"""));
        await using var qmp = await QmpClient.ConnectAsync(server.Path, new QmpOptions { MaxMessageBytes = 10_000 });
        var ex = await Assert.ThrowsAsync<SolsticeException>(() => qmp.QueryStatusAsync());
        Assert.Contains("longer than 10000 bytes", ex.Message);
        Assert.False(qmp.IsConnected);
        await Assert.ThrowsAsync<SolsticeException>(() => qmp.QueryStatusAsync());
    }

    [Fact]
    public async Task An_event_flood_keeps_the_newest_events_and_counts_the_dropped()
    {
        await using var server = new FakeQmpServer(async (r, w) =>
        {
            for (int i = 0; i < 50; i++)
                await w.WriteLineAsync($$$"""{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "E{{{i}}}", "data": {"n": {{{i}}}}}""");
            await w.WriteLineAsync($$"""{"return": {}, "id": {{FakeQmpServer.Id(r)}}}""");
        });
        await using var qmp = await QmpClient.ConnectAsync(server.Path, new QmpOptions { EventCapacity = 8 });
        await qmp.SystemResetAsync();
        Assert.Equal(42, qmp.DroppedEvents);
        var first = await qmp.Events.ReadAsync();
        Assert.Equal(("E42", 42), (first.Name, first.Data.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task A_socket_that_is_not_QMP_is_refused_with_a_sentence()
    {
        await using var server = new FakeQmpServer((_, _) => Task.CompletedTask, greeting: "SSH-2.0-OpenSSH");
        var ex = await Assert.ThrowsAsync<SolsticeException>(() => QmpClient.ConnectAsync(server.Path));
        Assert.EndsWith("is not a QMP socket: its greeting is not QEMU's", ex.Message);
    }

    [Fact]
    public async Task A_missing_socket_is_Unavailable()
    {
        var ex = await Assert.ThrowsAsync<SolsticeException>(() => QmpClient.ConnectAsync("/nonexistent/qmp.sock"));
        Assert.Equal(ErrorCode.Unavailable, ex.Code);
        Assert.StartsWith("cannot connect to QEMU's QMP socket /nonexistent/qmp.sock: ", ex.Message);
    }

    [Fact]
    public async Task QEMU_closing_the_socket_fails_the_waiting_command()
    {
        FakeQmpServer? server = null;
        server = new FakeQmpServer((_, w) =>
        {
            w.BaseStream.Dispose();
            return Task.CompletedTask;
        });
        await using (server)
        {
            await using var qmp = await QmpClient.ConnectAsync(server.Path);
            var ex = await Assert.ThrowsAsync<SolsticeException>(() => qmp.QuitAsync());
            Assert.Equal(ErrorCode.Unavailable, ex.Code);
            Assert.Contains("'quit'", ex.Message);
        }
    }
}
