using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Solstice.Core;

namespace Solstice.Instances.Hvm.Qmp;

/// <summary>The QMP commands the QEMU driver uses, typed. Each may throw what <see cref="ExecuteAsync"/> throws.</summary>
public sealed partial class QmpClient
{
    public Task<QmpStatus> QueryStatusAsync(CancellationToken ct = default) => QueryAsync("query-status", QmpJson.Default.QmpStatus, ct);

    public Task<QmpVersion> QueryVersionAsync(CancellationToken ct = default) => QueryAsync("query-version", QmpJson.Default.QmpVersion, ct);

    public Task<QmpVncInfo> QueryVncAsync(CancellationToken ct = default) => QueryAsync("query-vnc", QmpJson.Default.QmpVncInfo, ct);

    public async Task<IReadOnlyList<QmpBlockInfo>> QueryBlockAsync(CancellationToken ct = default) => await QueryAsync("query-block", QmpJson.Default.ListQmpBlockInfo, ct);

    public async Task<IReadOnlyList<QmpChardevInfo>> QueryChardevAsync(CancellationToken ct = default) => await QueryAsync("query-chardev", QmpJson.Default.ListQmpChardevInfo, ct);

    public async Task<IReadOnlyList<QmpCpuInfo>> QueryCpusFastAsync(CancellationToken ct = default) => await QueryAsync("query-cpus-fast", QmpJson.Default.ListQmpCpuInfo, ct);

    public async Task<IReadOnlyList<QmpPciBus>> QueryPciAsync(CancellationToken ct = default) => await QueryAsync("query-pci", QmpJson.Default.ListQmpPciBus, ct);

    /// <summary>Presses the ACPI power button; the guest decides whether and when to power off.</summary>
    public Task SystemPowerdownAsync(CancellationToken ct = default) => ExecuteAsync("system_powerdown", ct: ct);

    /// <summary>Resets the machine at once, as the reset button would.</summary>
    public Task SystemResetAsync(CancellationToken ct = default) => ExecuteAsync("system_reset", ct: ct);

    /// <summary>Ends QEMU at once (answers, then closes the connection).</summary>
    public Task QuitAsync(CancellationToken ct = default) => ExecuteAsync("quit", ct: ct);

    /// <summary>Injects an NMI into the guest (vmadm sysrq nmi).</summary>
    public Task InjectNmiAsync(CancellationToken ct = default) => ExecuteAsync("inject-nmi", ct: ct);

    /// <summary>Sets the size, in bytes, of the block node <paramref name="nodeName"/> (and its file); growing only is the caller's rule.</summary>
    public Task BlockResizeAsync(string nodeName, long sizeBytes, CancellationToken ct = default) =>
        ExecuteAsync("block_resize", w =>
        {
            w.WriteString("node-name", nodeName);
            w.WriteNumber("size", sizeBytes);
        }, ct: ct);

    /// <summary>Sets the VNC password (QEMU needs -vnc ...,password=on for it to matter).</summary>
    public Task SetVncPasswordAsync(string password, CancellationToken ct = default) =>
        ExecuteAsync("set_password", w =>
        {
            w.WriteString("protocol", "vnc");
            w.WriteString("password", password);
        }, ct: ct);

    /// <summary>Writes the display to <paramref name="filename"/> (opened by QEMU, so a path it may write) as png or ppm.</summary>
    public Task ScreendumpAsync(string filename, string format = "png", CancellationToken ct = default) =>
        ExecuteAsync("screendump", w =>
        {
            w.WriteString("filename", filename);
            w.WriteString("format", format);
        }, ct: ct);

    private async Task<T> QueryAsync<T>(string command, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var result = await ExecuteAsync(command, ct: ct);
        try
        {
            return result.Deserialize(type) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"QEMU's answer to '{command}' is not what Solstice expects: {ex.Message}", ex);
        }
    }
}
