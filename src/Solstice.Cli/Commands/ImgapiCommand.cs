using System.Net;
using System.Runtime.InteropServices;
using Solstice.Cli.Commands.Imgadm;
using Solstice.Images.Imgapi;

namespace Solstice.Cli.Commands;

/// <summary>
/// `solstice imgapi serve --listen ADDR:PORT [--pool NAME]`: serves the pool's images over IMGAPI
/// until SIGINT or SIGTERM. Port 0 picks a free port; the first line printed names the URL.
/// </summary>
public static class ImgapiCommand
{
    public const string Usage = "usage: solstice imgapi serve --listen <address:port> [--pool <name>]";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0 || args[0] != "serve")
            throw new UsageException(Usage);
        string? listen = null, pool = null;
        for (int i = 1; i < args.Count; i++)
        {
            string value = i + 1 < args.Count ? args[i + 1] : throw new UsageException($"missing value for {args[i]}\n{Usage}");
            switch (args[i])
            {
                case "--listen" or "-l":
                    listen = value;
                    break;
                case "--pool" or "-P":
                    pool = value;
                    break;
                default:
                    throw new UsageException($"unknown option '{args[i]}'\n{Usage}");
            }
            i++;
        }
        if (listen is null || !IPEndPoint.TryParse(listen, out var endpoint))
            throw new UsageException($"--listen needs an address:port, e.g. 127.0.0.1:8080\n{Usage}");
        var store = ImgadmTool.OpenStore(context, pool);
        using var stop = new ManualResetEventSlim();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        using var server = new ImgapiServer(store, endpoint);
        server.Start();
        context.Out.WriteLine($"imgapi: serving pool '{store.Pool.Name}' on {server.Url}");
        context.Out.Flush();
        stop.Wait();
        return 0;
    }
}
