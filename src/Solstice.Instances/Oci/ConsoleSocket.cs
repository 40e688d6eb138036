using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Solstice.Core;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Oci;

/// <summary>
/// The listening end of runc's/crun's --console-socket: when a container (or exec) has a terminal, the
/// runtime connects here and passes the pty master with SCM_RIGHTS. The kernel queues the message on
/// the connection, so ReceiveMaster may be called after `create` has already returned.
/// </summary>
public sealed class ConsoleSocket : IDisposable
{
    private readonly Socket _listener;

    private ConsoleSocket(string path, Socket listener)
    {
        SocketPath = path;
        _listener = listener;
    }

    public string SocketPath { get; }

    /// <summary>
    /// Binds a unix socket at path (which must not exist) and listens. Connecting needs write access to
    /// the socket file, which the usual umask 022 gives only its owner.
    /// </summary>
    public static ConsoleSocket Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            return new ConsoleSocket(path, listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Accepts the runtime's connection and returns the pty master it sends (close-on-exec, owned).</summary>
    /// <exception cref="SolsticeException">Unavailable on timeout; BackendFailed when the peer sent no descriptor.</exception>
    public SafeFileHandle ReceiveMaster(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!_listener.Poll(Remaining(deadline), SelectMode.SelectRead))
            throw Timeout(timeout);
        using var connection = _listener.Accept();
        // runc sends the terminal's name as the data and the master as ancillary data.
        Span<byte> payload = stackalloc byte[4096];
        while (true)
        {
            if (!connection.Poll(Remaining(deadline), SelectMode.SelectRead))
                throw Timeout(timeout);
            int fd;
            int length;
            try
            {
                fd = ScmRights.Receive(connection.SafeHandle, payload, out length);
            }
            catch (SyscallException ex) when (ScmRights.IsWouldBlock(ex))
            {
                continue;
            }
            if (fd >= 0)
                return new SafeFileHandle(fd, ownsHandle: true);
            if (length == 0)
                throw new SolsticeException(ErrorCode.BackendFailed, $"console socket '{SocketPath}': the runtime closed the connection without sending a terminal");
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
    }

    private static int Remaining(DateTime deadline) =>
        (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMicroseconds, 0, int.MaxValue);

    private SolsticeException Timeout(TimeSpan timeout) =>
        new(ErrorCode.Unavailable, $"console socket '{SocketPath}': no terminal received within {timeout.TotalSeconds:0.#} s");
}
