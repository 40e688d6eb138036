using System.Text.Json.Serialization;

namespace Solstice.Instances.Hvm.Qmp;

// The parts of QMP's answers Solstice reads (qapi/*.json of QEMU 7.2); unknown members are ignored,
// so newer QEMUs that add fields still parse. Names follow QMP's wire names via QmpJson's
// kebab-case policy, with the few snake_case ones spelled out.

public sealed record QmpVersionTriple(int Major, int Minor, int Micro);

/// <summary>query-version, and the greeting's version.</summary>
public sealed record QmpVersion(QmpVersionTriple Qemu, string Package)
{
    public override string ToString() => $"{Qemu.Major}.{Qemu.Minor}.{Qemu.Micro}";
}

/// <summary>query-status: <see cref="Status"/> is running, paused, shutdown, inmigrate, guest-panicked, ...</summary>
public sealed record QmpStatus(bool Running, string Status);

public sealed record QmpVncClient(string Host, string Service, string Family);

/// <summary>query-vnc. For a unix socket server, <see cref="Service"/> is the path.</summary>
public sealed record QmpVncInfo(bool Enabled, string? Host, string? Service, string? Family, string? Auth, IReadOnlyList<QmpVncClient>? Clients);

public sealed record QmpBlockImage(string Filename, string Format, [property: JsonPropertyName("virtual-size")] long VirtualSize);

public sealed record QmpBlockInserted(string File, [property: JsonPropertyName("node-name")] string? NodeName, bool Ro, string Drv, QmpBlockImage? Image);

/// <summary>One entry of query-block: a device and what is inserted in it.</summary>
public sealed record QmpBlockInfo(string Device, string? Qdev, bool Removable, bool Locked, QmpBlockInserted? Inserted);

/// <summary>One entry of query-chardev.</summary>
public sealed record QmpChardevInfo(string Label, string Filename, [property: JsonPropertyName("frontend-open")] bool FrontendOpen);

/// <summary>One entry of query-cpus-fast: the vCPU's host thread.</summary>
public sealed record QmpCpuInfo([property: JsonPropertyName("cpu-index")] int CpuIndex, [property: JsonPropertyName("qom-path")] string QomPath, [property: JsonPropertyName("thread-id")] long ThreadId, string Target);

public sealed record QmpPciClass(string? Desc, int Class);

public sealed record QmpPciId(int Device, int Vendor, int? Subsystem, [property: JsonPropertyName("subsystem-vendor")] int? SubsystemVendor);

public sealed record QmpPciDevice(int Bus, int Slot, int Function, [property: JsonPropertyName("class_info")] QmpPciClass ClassInfo, QmpPciId Id, [property: JsonPropertyName("qdev_id")] string QdevId);

/// <summary>One PCI bus of query-pci with its devices.</summary>
public sealed record QmpPciBus(int Bus, IReadOnlyList<QmpPciDevice> Devices);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower)]
[JsonSerializable(typeof(QmpVersion))]
[JsonSerializable(typeof(QmpStatus))]
[JsonSerializable(typeof(QmpVncInfo))]
[JsonSerializable(typeof(List<QmpBlockInfo>))]
[JsonSerializable(typeof(List<QmpChardevInfo>))]
[JsonSerializable(typeof(List<QmpCpuInfo>))]
[JsonSerializable(typeof(List<QmpPciBus>))]
public sealed partial class QmpJson : JsonSerializerContext;
