using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Core.Protocol;

namespace Solstice.Cli.Node;

/// <summary>
/// An interactive zone console: the local terminal in raw mode, bytes copied both ways through
/// solsticed. Detach with CTRL-] (vmadm console) or "~." at the start of a line (zlogin -C).
/// </summary>
public static class ConsoleClient
{
    private const byte CtrlBracket = 0x1d;

    public static int Attach(string uuid, CliContext context, string banner)
    {
        using var client = NodeClient.Connect(context.SocketPath);
        client.Send(NodeProtocol.Request(NodeOps.VmConsole, new JsonObject { ["uuid"] = uuid }));
        NodeProtocol.Unwrap(ReadReply(client.Stream));
        context.Error.WriteLine(banner);
        bool tty = !Console.IsInputRedirected;
        string? saved = tty ? Stty("-g")?.Trim() : null;
        if (tty)
            Stty("raw", "-echo");
        try
        {
            using var stdout = context.OpenStandardOutput();
            var pump = Task.Run(() =>
            {
                var buffer = new byte[8192];
                int n;
                while ((n = client.Stream.Read(buffer)) > 0)
                {
                    stdout.Write(buffer, 0, n);
                    stdout.Flush();
                }
            });
            using var stdin = context.OpenStandardInput();
            var input = new byte[1024];
            var forward = new List<byte>(1025);
            bool lineStart = true, tilde = false;
            while (!pump.IsCompleted)
            {
                int n = stdin.Read(input);
                if (n <= 0)
                    break;
                forward.Clear();
                for (int i = 0; i < n; i++)
                {
                    byte b = input[i];
                    if (b == CtrlBracket || tilde && b == '.')
                        return 0;
                    if (tilde)
                        forward.Add((byte)'~');
                    // A '~' at the start of a line is held back until the next key shows it isn't "~.".
                    tilde = lineStart && b == '~';
                    if (!tilde)
                        forward.Add(b);
                    lineStart = b is (byte)'\r' or (byte)'\n';
                }
                client.Stream.Write(forward.ToArray());
            }
            return 0;
        }
        finally
        {
            if (saved is not null)
                Stty(saved);
            context.Error.WriteLine();
            context.Error.WriteLine($"[Connection to zone '{uuid}' console closed]");
        }
    }

    private static JsonObject ReadReply(Stream stream)
    {
        var line = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
            line.Add((byte)b);
        if (b < 0)
            throw NodeClient.Closed();
        return JsonNode.Parse(line.ToArray()) as JsonObject ?? throw NodeClient.Closed();
    }

    private static string? Stty(params string[] args)
    {
        var info = new ProcessStartInfo("stty") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info);
        string? output = process?.StandardOutput.ReadToEnd();
        process?.WaitForExit();
        return output;
    }
}
