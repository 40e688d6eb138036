using System.Text.RegularExpressions;

namespace Solstice.Instances.Hvm;

public sealed partial class QemuCommandLine
{
    /// <summary>QEMU's -m accepts more, but SmartOS VMs have at least this much.</summary>
    public const int MinRamMiB = 32;

    /// <summary>QEMU's q35 limit is 288, pc's 255; vmadm allows up to 64 for KVM.</summary>
    public const int MaxVcpus = 64;

    private static void Validate(HvmSpec spec, List<string> problems)
    {
        if (spec.Uuid == Guid.Empty)
            problems.Add("uuid must not be the nil uuid");
        if (spec.RamMiB < MinRamMiB)
            problems.Add($"ram must be at least {MinRamMiB} (MiB), not {spec.RamMiB}");
        if (spec.Vcpus is < 1 or > MaxVcpus)
            problems.Add($"vcpus must be between 1 and {MaxVcpus}, not {spec.Vcpus}");
        if (spec.CpuType is { } cpu && !CpuTypePattern().IsMatch(cpu))
            problems.Add($"cpu_type '{cpu}' is not a QEMU CPU model (letters, digits and -_.,+= only)");
        if (spec.Boot is { } boot && !BootPattern().IsMatch(boot))
            problems.Add($"boot '{boot}' is not a QEMU -boot value such as order=cd or order=c,once=d");
        if (spec.Bootrom == HvmBootrom.Uefi && spec.Brand != HvmBrand.Bhyve)
            problems.Add("bootrom uefi is only for brand bhyve");
        if (spec.Bootrom == HvmBootrom.Uefi && spec.Firmware is null)
            problems.Add("bootrom uefi needs the UEFI firmware files");
        if (spec.Vnc.Port is < -1 or > 65535)
            problems.Add($"vnc_port must be -1 (none), 0 (random) or a TCP port, not {spec.Vnc.Port}");
        if (!IsPrintable(spec.PlatformBuildstamp))
            problems.Add("the platform buildstamp must be printable and non-empty");
        CheckPath("the QMP socket", spec.Paths.Qmp, problems);
        CheckPath("the console socket", spec.Paths.Console, problems);
        CheckPath("the metadata socket", spec.Paths.Metadata, problems);
        CheckPath("the VNC socket", spec.Paths.Vnc, problems);
        CheckPath("the pid file", spec.Paths.PidFile, problems);
        if (spec.Firmware is { } fw)
        {
            CheckPath("the UEFI code", fw.Code, problems);
            CheckPath("the UEFI variables", fw.Vars, problems);
        }
        for (int i = 0; i < spec.Disks.Count; i++)
        {
            var disk = spec.Disks[i];
            CheckPath($"disks[{i}].path", disk.Path, problems);
            CheckBlockSize(i, "logical", disk.LogicalBlockSize, problems);
            CheckBlockSize(i, "physical", disk.PhysicalBlockSize, problems);
            if (disk.LogicalBlockSize is int l && disk.PhysicalBlockSize is int p && p < l)
                problems.Add($"disks[{i}]: the physical block size ({p}) is smaller than the logical one ({l})");
        }
        for (int i = 0; i < spec.Nics.Count; i++)
        {
            var nic = spec.Nics[i];
            if (!TapPattern().IsMatch(nic.Tap))
                problems.Add($"nics[{i}]: '{nic.Tap}' is not a network interface name (1-15 of letters, digits, -_.)");
            if (!MacPattern().IsMatch(nic.Mac))
                problems.Add($"nics[{i}].mac '{nic.Mac}' is not a MAC address like 90:b8:d0:12:34:56");
        }
    }

    private static void CheckPath(string what, string path, List<string> problems)
    {
        if (!Path.IsPathFullyQualified(path) || !IsPrintable(path))
            problems.Add($"{what} '{path}' must be an absolute path without control characters");
    }

    private static void CheckBlockSize(int index, string kind, int? size, List<string> problems)
    {
        if (size is int s && (s < 512 || s > 65536 || (s & (s - 1)) != 0))
            problems.Add($"disks[{index}]: the {kind} block size must be a power of 2 from 512 to 65536, not {s}");
    }

    private static bool IsPrintable(string text) => text.Length > 0 && !text.Any(char.IsControl);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.,+=-]*$")]
    private static partial Regex CpuTypePattern();

    [GeneratedRegex("^[a-z]+=[a-z0-9]+(,[a-z]+=[a-z0-9]+)*$")]
    private static partial Regex BootPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex TapPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();
}
