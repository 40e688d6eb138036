using System.Diagnostics;
using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Solstice.Linux;

namespace Solstice.Instances.Zones;

/// <summary>
/// What SmartOS images do with metadata at every boot, done by the platform so any image gets
/// it: before boot, user-data goes to /var/db/mdata-user-data, root_authorized_keys to
/// /root/.ssh/authorized_keys, a cloud-init NoCloud seed (instance id, hostname,
/// cloud-init:user-data) to /var/lib/cloud/seed/nocloud, and the operator-script and
/// user-script to /var/svc; after boot, operator-script then user-script run inside the zone
/// with their output in /var/svc/log. Files are written through RootedFile, so a zone's
/// symlinks can't redirect them onto the host.
/// </summary>
public static class BootActions
{
    public const string OperatorScript = "var/svc/mdata-operator-script";
    public const string UserScript = "var/svc/mdata-user-script";

    /// <summary>Whether this VM has a script to run after boot (most don't, and then no exec is spawned).</summary>
    public static bool HasScripts(JsonObject vm) =>
        (vm["internal_metadata"] as JsonObject)?["operator-script"] is not null
        || (vm["customer_metadata"] as JsonObject)?["user-script"] is not null;

    public static void WriteFiles(JsonObject vm, string rootfs)
    {
        var customer = vm["customer_metadata"] as JsonObject ?? [];
        var internalMetadata = vm["internal_metadata"] as JsonObject ?? [];
        string uuid = VmJson.AsString(vm["uuid"])!;
        Put(rootfs, "var/db/mdata-user-data", VmJson.AsString(customer["user-data"]), 0x180);
        Put(rootfs, "root/.ssh/authorized_keys", VmJson.AsString(customer["root_authorized_keys"]), 0x180);
        Put(rootfs, "var/lib/cloud/seed/nocloud/meta-data",
            $"instance-id: {uuid}\nlocal-hostname: {VmJson.AsString(vm["hostname"]) ?? uuid}\n", 0x1a4);
        Put(rootfs, "var/lib/cloud/seed/nocloud/user-data", VmJson.AsString(customer["cloud-init:user-data"]) ?? "", 0x180);
        Put(rootfs, OperatorScript, VmJson.AsString(internalMetadata["operator-script"]), 0x1c0);
        Put(rootfs, UserScript, VmJson.AsString(customer["user-script"]), 0x1c0);
    }

    /// <summary>Runs the scripts in the booted zone without waiting for them (they may run long).</summary>
    public static void RunScripts(IReadOnlyList<string> execArgv)
    {
        var info = new ProcessStartInfo(execArgv[0]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in execArgv.Skip(1))
            info.ArgumentList.Add(arg);
        var process = Process.Start(info);
        if (process is null)
            return;
        process.StandardInput.Close();
        _ = Task.Run(async () =>
        {
            using (process)
            {
                await process.StandardOutput.ReadToEndAsync();
                await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
            }
        });
    }

    public static readonly string[] ScriptCommand =
    [
        "/bin/sh", "-c",
        "mkdir -p /var/svc/log; " +
        $"[ -x /{OperatorScript} ] && /{OperatorScript} >/var/svc/log/mdata-operator-script.log 2>&1; " +
        $"[ -x /{UserScript} ] && /{UserScript} >/var/svc/log/mdata-user-script.log 2>&1; true",
    ];

    private static void Put(string rootfs, string path, string? contents, uint mode)
    {
        if (contents is null)
            return;
        RootedFile.WriteAtomicText(rootfs, path, contents, mode, durable: false);
    }
}
