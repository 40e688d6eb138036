using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Hvm;

/// <summary>
/// A QMP peer for unit tests: sends QEMU's greeting, answers qmp_capabilities, then hands each
/// further request (parsed) to <see cref="Respond"/>, which writes whatever lines it likes.
/// </summary>
internal sealed class FakeQmpServer : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("qmp");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly Task _serve;

    public const string Greeting = """{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}}""";

    public FakeQmpServer(Func<JsonElement, StreamWriter, Task> respond, string greeting = Greeting)
    {
        Path = _dir.Combine("qmp.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(1);
        Respond = respond;
        _serve = Task.Run(async () =>
        {
            using var client = await _listener.AcceptAsync();
            using var stream = new NetworkStream(client);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync(greeting);
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    using var doc = JsonDocument.Parse(line);
                    var request = doc.RootElement.Clone();
                    Requests.Add(request);
                    if (request.GetProperty("execute").GetString() == "qmp_capabilities")
                        await writer.WriteLineAsync($$"""{"return": {}, "id": {{request.GetProperty("id")}}}""");
                    else
                        await Respond(request, writer);
                }
            }
            catch (IOException)
            {
            }
        });
    }

    public string Path { get; }

    public Func<JsonElement, StreamWriter, Task> Respond { get; set; }

    public List<JsonElement> Requests { get; } = [];

    public static string Id(JsonElement request) => request.GetProperty("id").ToString();

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await Task.WhenAny(_serve, Task.Delay(2000));
        _dir.Dispose();
    }
}
