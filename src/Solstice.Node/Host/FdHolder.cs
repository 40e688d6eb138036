using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Solstice.Linux.Interop;

namespace Solstice.Node;

/// <summary>
/// Keeps the zones' console pty masters open while solsticed is down. A master closed with the
/// daemon would hang up every zone's console session, so the daemon hands each one to this
/// small process (`solsticed fd-holder &lt;socket&gt;`, one for the node, not one per zone) and takes
/// them back after a restart. Requests are one message each: "PUT name" carrying the fd,
/// "GET name" (answered "OK" with the fd, or "NONE"), "DEL name".
/// </summary>
public static class FdHolder
{
    public static int Serve(string socketPath)
    {
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(64);
        var buffer = new byte[512];
        while (true)
        {
            using var connection = listener.Accept();
            try
            {
                int fd = ScmRights.Receive(connection.SafeHandle, buffer, out int length);
                string[] request = Encoding.UTF8.GetString(buffer, 0, length).Trim().Split(' ', 2);
                string name = request.Length > 1 ? request[1] : "";
                switch (request[0])
                {
                    case "PUT" when fd >= 0:
                        if (held.Remove(name, out int old))
                            Libc.Close(old);
                        held[name] = fd;
                        connection.Send("OK\n"u8);
                        break;
                    case "GET" when held.TryGetValue(name, out int stored):
                        ScmRights.Send(connection.SafeHandle, stored, "OK\n"u8);
                        break;
                    case "GET":
                        connection.Send("NONE\n"u8);
                        break;
                    case "DEL":
                        if (held.Remove(name, out int removed))
                            Libc.Close(removed);
                        connection.Send("OK\n"u8);
                        break;
                    default:
                        if (fd >= 0)
                            Libc.Close(fd);
                        connection.Send("ERR\n"u8);
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
            }
        }
    }
}

/// <summary>The daemon's side of the fd holder; starts the holder when it isn't running.</summary>
public sealed class FdHolderClient(string socketPath)
{
    public void EnsureRunning()
    {
        if (TryRequest("GET -", -1, out _) is not null)
            return;
        var info = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false };
        info.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileName(Environment.ProcessPath) == "dotnet")
            info.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        info.ArgumentList.Add("fd-holder");
        info.ArgumentList.Add(socketPath);
        info.RedirectStandardInput = true;
        using (Process.Start(info))
        {
        }
        for (int i = 0; i < 200 && TryRequest("GET -", -1, out _) is null; i++)
            Thread.Sleep(10);
    }

    public void Put(string name, int fd) => TryRequest($"PUT {name}", fd, out _);

    /// <summary>The held descriptor (a new one, owned by the caller), or -1.</summary>
    public int Get(string name)
    {
        TryRequest($"GET {name}", -1, out int fd);
        return fd;
    }

    public void Delete(string name) => TryRequest($"DEL {name}", -1, out _);

    private string? TryRequest(string request, int fd, out int receivedFd)
    {
        receivedFd = -1;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            byte[] payload = Encoding.UTF8.GetBytes(request + "\n");
            if (fd >= 0)
                ScmRights.Send(socket.SafeHandle, fd, payload);
            else
                socket.Send(payload);
            var reply = new byte[64];
            receivedFd = ScmRights.Receive(socket.SafeHandle, reply, out int length);
            return Encoding.UTF8.GetString(reply, 0, length).Trim();
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return null;
        }
    }
}
