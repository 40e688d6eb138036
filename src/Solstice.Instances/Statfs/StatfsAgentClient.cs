using System.Diagnostics;
using System.Net.Sockets;

namespace Solstice.Instances.Statfs;

/// <summary>
/// solsticed's side of the statfs agent: starts it (in its own session, so it outlives the daemon)
/// when nothing answers on its socket. runc refuses to start a zone or exec into one whose
/// listener socket is dead, so the daemon calls EnsureRunning before both.
/// </summary>
public sealed class StatfsAgentClient(string socketPath)
{
    public string SocketPath => socketPath;

    public void EnsureRunning()
    {
        if (IsRunning())
            return;
        var info = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false };
        info.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileName(Environment.ProcessPath) == "dotnet")
            info.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        info.ArgumentList.Add("statfs-agent");
        info.ArgumentList.Add(socketPath);
        info.RedirectStandardInput = true;
        using (Process.Start(info))
        {
        }
        for (int i = 0; i < 500 && !IsRunning(); i++)
            Thread.Sleep(10);
    }

    /// <summary>Something accepts on the socket (the agent drops a connection that carries no listener).</summary>
    public bool IsRunning()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
