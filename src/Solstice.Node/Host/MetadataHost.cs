using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Solstice.Metadata;

namespace Solstice.Node;

/// <summary>
/// One metadata server per running zone, on a socket in a host directory of its own
/// (&lt;run-dir&gt;/zonecontrol/&lt;uuid&gt;, 0700) that the zone sees read-only at /.zonecontrol
/// (/native/.zonecontrol for lx), as SmartOS lends /.zonecontrol. A zone reaches only its own
/// socket: no other zone's directory is mounted into it.
/// </summary>
public sealed class MetadataHost(string runDirectory, MetadataLimits? limits = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, MetadataServer> _servers = new(StringComparer.Ordinal);

    public MetadataLimits Limits { get; } = limits ?? MetadataLimits.Default;

    /// <summary>The daemon's run directory (zonecontrol/ is under it).</summary>
    public string RunDirectory => runDirectory;

    public string DirectoryOf(string uuid) => Path.Combine(runDirectory, "zonecontrol", uuid);

    /// <summary>Starts (or restarts) the zone's server; returns the host directory to mount.</summary>
    public string Start(string uuid, Func<JsonObject> vm, MetadataUpdate update)
    {
        Stop(uuid);
        string directory = DirectoryOf(uuid);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var server = new MetadataServer(Path.Combine(directory, "metadata.sock"), new VmMetadataStore(vm, update), Limits,
            log: message => Console.Error.WriteLine($"solsticed: metadata {uuid}: {message}"));
        server.Start();
        _servers[uuid] = server;
        return directory;
    }

    public void Stop(string uuid)
    {
        if (_servers.TryRemove(uuid, out var server))
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Remove(string uuid)
    {
        Stop(uuid);
        string directory = DirectoryOf(uuid);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
            await server.DisposeAsync();
        _servers.Clear();
    }
}
