using System.Net.Sockets;
using Solstice.Metadata;

namespace Solstice.Guest.Mdata;

/// <summary>
/// mdata-client's session handling (proto.c, plat/sunos.c): find and connect the socket, do
/// the active reset (an empty line answered by <c>invalid command</c>) and NEGOTIATE, retrying
/// every second while the socket is missing or silent (it may not exist yet early in boot);
/// after a timeout mid-command, reconnect and send the command again. Only a permission
/// problem for a non-root user is permanent.
/// </summary>
internal sealed class MdataConnection : IDisposable
{
    private MetadataClient? _client;

    public int Version => _client?.Version ?? 1;

    /// <summary>Connects, retrying until it works; null with a message only on a permanent failure.</summary>
    public bool TryOpen(out string? error)
    {
        while (true)
        {
            _client?.Dispose();
            _client = null;
            if (TryConnect(out var stream, out error, out bool permanent))
            {
                var client = new MetadataClient(stream!);
                if (client.ActiveReset() && client.Negotiate())
                {
                    _client = client;
                    return true;
                }
                client.Dispose();
            }
            else if (permanent)
                return false;
            Thread.Sleep(1000);
        }
    }

    /// <summary>Runs one command to its answer, reconnecting after timeouts; false when reconnecting fails for good.</summary>
    public bool Execute(string command, ReadOnlySpan<byte> argument, bool hasArgument, out MetadataResponse response)
    {
        while (true)
        {
            if (_client!.Execute(command, argument, hasArgument, out response))
                return true;
            Console.Error.WriteLine("receive timeout, resetting protocol...");
            if (!TryOpen(out string? error))
            {
                Console.Error.WriteLine($"ERROR: while resetting connection: {error}");
                return false;
            }
        }
    }

    private static bool TryConnect(out Stream? stream, out string? error, out bool permanent)
    {
        stream = null;
        permanent = false;
        error = "Could not find metadata socket.";
        string? single = Environment.GetEnvironmentVariable(MetadataPaths.SocketOverrideVariable);
        IReadOnlyList<string> candidates = string.IsNullOrEmpty(single) ? MetadataPaths.GuestSocketPaths : [single];
        foreach (string path in candidates)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
                stream = new NetworkStream(socket, ownsSocket: true);
                return true;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                if (ex.SocketErrorCode == SocketError.AccessDenied && !Environment.IsPrivilegedProcess)
                    permanent = true;
                else if (ex.SocketErrorCode == SocketError.ConnectionRefused)
                    error = "Could not connect metadata socket.";
            }
        }
        return false;
    }

    public void Dispose() => _client?.Dispose();
}
