namespace Solstice.Instances.Hvm;

/// <summary>
/// Everything QEMU needs to run one hardware VM (SmartOS brands kvm and bhyve): the desired
/// state the QEMU driver derives from the VM object, and the only input of
/// <see cref="QemuCommandLine.Build"/>. Paths are host paths as QEMU will open them.
/// </summary>
public sealed record HvmSpec
{
    public required Guid Uuid { get; init; }

    public HvmBrand Brand { get; init; } = HvmBrand.Kvm;

    /// <summary>ram, in MiB.</summary>
    public required int RamMiB { get; init; }

    public int Vcpus { get; init; } = 1;

    /// <summary>cpu_type; null is SmartOS's default, qemu64.</summary>
    public string? CpuType { get; init; }

    public IReadOnlyList<HvmDisk> Disks { get; init; } = [];

    public IReadOnlyList<HvmNic> Nics { get; init; } = [];

    /// <summary>boot, as SmartOS passes it to -boot (e.g. "order=cd", "order=c,once=d"); null is "order=cd".</summary>
    public string? Boot { get; init; }

    public HvmBootrom Bootrom { get; init; } = HvmBootrom.Bios;

    /// <summary>Required when <see cref="Bootrom"/> is uefi.</summary>
    public HvmFirmware? Firmware { get; init; }

    /// <summary>vga; null is SmartOS's default, std.</summary>
    public string? Vga { get; init; }

    public HvmVnc Vnc { get; init; } = new();

    /// <summary>
    /// qemu_opts: when set, replaces the display and input defaults (VNC, USB tablet), as in
    /// SmartOS, and is appended split into words.
    /// </summary>
    public string? QemuOpts { get; init; }

    /// <summary>qemu_extra_opts: appended last, split into words.</summary>
    public string? QemuExtraOpts { get; init; }

    public required HvmPaths Paths { get; init; }

    public HvmAccelerator Accelerator { get; init; } = HvmAccelerator.Tcg;

    /// <summary>
    /// The platform's build stamp, shown in the SMBIOS version as "7.&lt;stamp&gt;" the way
    /// SmartOS shows platform_buildstamp; SmartOS's fallback is "x".
    /// </summary>
    public string PlatformBuildstamp { get; init; } = "x";
}
