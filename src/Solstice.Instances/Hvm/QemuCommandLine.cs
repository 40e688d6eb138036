using System.Globalization;
using System.Text;
using Solstice.Core;

namespace Solstice.Instances.Hvm;

/// <summary>
/// The QEMU command line of one VM, built as data (named sections of options) from an
/// <see cref="HvmSpec"/> and rendered deterministically, so golden files pin it
/// (tests/Solstice.Instances.Tests/Golden/qemu-*.txt). Nothing here runs QEMU.
/// What it encodes, and why:
/// <list type="bullet">
/// <item>-nodefaults -no-user-config: only the devices listed here, no host config file.</item>
/// <item>SMBIOS type 1 as SmartOS sets it for KVM and bhyve guests (VM.js startVM; bhyve boot.c):
/// manufacturer Joyent, product "SmartDC HVM", version 7.&lt;buildstamp&gt;, serial and uuid the
/// VM uuid, sku 001, family "Virtual Machine".</item>
/// <item>COM1 the console, COM2 the metadata line, and the QMP monitor: unix sockets QEMU listens
/// on (server=on,wait=off), so the VM keeps running while the daemon restarts and reconnects.</item>
/// <item>-sandbox: seccomp with obsolete calls, privilege changes, fork/exec and resource
/// control denied.</item>
/// <item>No -no-reboot: a guest reboot resets the machine inside the same QEMU, as SmartOS KVM
/// does; a guest power-off ends QEMU.</item>
/// </list>
/// </summary>
public sealed partial class QemuCommandLine
{
    public const string Binary = "qemu-system-x86_64";

    /// <summary>SmartOS's default cpu_type.</summary>
    public const string DefaultCpuType = "qemu64";

    /// <summary>SmartOS's default boot: the first hard disk, then the CD-ROM.</summary>
    public const string DefaultBoot = "order=cd";

    public const string Sandbox = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    public const string ConsoleChardev = "console";
    public const string MetadataChardev = "metadata";
    public const string QmpChardev = "qmp";

    private QemuCommandLine(IReadOnlyList<QemuSection> sections) => Sections = sections;

    public IReadOnlyList<QemuSection> Sections { get; }

    /// <summary>The arguments after the binary, in order.</summary>
    public IReadOnlyList<string> Arguments => [.. Sections.SelectMany(s => s.Options).SelectMany(o => o.Value is null ? [o.Flag] : new[] { o.Flag, o.Value })];

    /// <summary>argv for exec: <paramref name="binary"/> then <see cref="Arguments"/>.</summary>
    public IReadOnlyList<string> Argv(string binary = Binary) => [binary, .. Arguments];

    /// <summary>
    /// Builds the command line. Every problem in the spec is reported at once, as one
    /// <see cref="ErrorCode.InvalidArgument"/> whose sentences name the property.
    /// </summary>
    public static QemuCommandLine Build(HvmSpec spec)
    {
        var problems = new List<string>();
        Validate(spec, problems);
        var sections = new List<QemuSection>
        {
            new("process", Process(spec)),
            new("machine", Machine(spec)),
            new("identity", Identity(spec)),
            new("monitor and serial", Serial(spec)),
            new("display", Display(spec, problems)),
            new("disks", Disks(spec, problems)),
            new("nics", Nics(spec)),
            new("boot", [new("-boot", spec.Boot ?? DefaultBoot)]),
        };
        var extra = new List<QemuOption>();
        AddWords(extra, "qemu_opts", spec.QemuOpts, problems);
        AddWords(extra, "qemu_extra_opts", spec.QemuExtraOpts, problems);
        if (extra.Count > 0)
            sections.Add(new("qemu_opts and qemu_extra_opts", extra));
        if (problems.Count > 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"VM {spec.Uuid}: " + string.Join("; ", problems));
        return new QemuCommandLine(sections);
    }

    /// <summary>One option per line ("-flag value"), each section under a "# name" line: the golden-file form.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var section in Sections)
        {
            text.Append("# ").Append(section.Name).Append('\n');
            foreach (var option in section.Options)
            {
                text.Append(option.Flag);
                if (option.Value is not null)
                    text.Append(' ').Append(option.Value);
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    private static List<QemuOption> Process(HvmSpec spec) =>
    [
        new("-nodefaults"),
        new("-no-user-config"),
        new("-name", $"guest={spec.Uuid},debug-threads=on"),
        new("-pidfile", spec.Paths.PidFile),
        new("-sandbox", Sandbox),
    ];

    private static List<QemuOption> Machine(HvmSpec spec)
    {
        var machine = spec.Brand == HvmBrand.Bhyve ? "q35" : "pc";
        var options = new List<QemuOption>();
        if (spec.Bootrom == HvmBootrom.Uefi && spec.Firmware is { } fw)
        {
            machine += ",pflash0=fw-code,pflash1=fw-vars";
            options.Add(new("-blockdev", $"driver=file,node-name=fw-code-file,filename={QemuWords.Escape(fw.Code)},read-only=on"));
            options.Add(new("-blockdev", "driver=raw,node-name=fw-code,file=fw-code-file,read-only=on"));
            options.Add(new("-blockdev", $"driver=file,node-name=fw-vars-file,filename={QemuWords.Escape(fw.Vars)}"));
            options.Add(new("-blockdev", "driver=raw,node-name=fw-vars,file=fw-vars-file"));
        }
        options.InsertRange(0,
        [
            new("-machine", machine),
            new("-accel", spec.Accelerator == HvmAccelerator.Kvm ? "kvm" : "tcg"),
            new("-cpu", spec.CpuType ?? DefaultCpuType),
            new("-smp", spec.Vcpus.ToString(CultureInfo.InvariantCulture)),
            new("-m", spec.RamMiB.ToString(CultureInfo.InvariantCulture)),
        ]);
        return options;
    }

    private static List<QemuOption> Identity(HvmSpec spec) =>
    [
        new("-uuid", spec.Uuid.ToString()),
        new("-smbios", $"type=1,manufacturer=Joyent,product=SmartDC HVM,version=7.{QemuWords.Escape(spec.PlatformBuildstamp)},serial={spec.Uuid},uuid={spec.Uuid},sku=001,family=Virtual Machine"),
    ];

    private static List<QemuOption> Serial(HvmSpec spec) =>
    [
        new("-chardev", $"socket,id={QmpChardev},path={QemuWords.Escape(spec.Paths.Qmp)},server=on,wait=off"),
        new("-mon", $"chardev={QmpChardev},mode=control"),
        new("-chardev", $"socket,id={ConsoleChardev},path={QemuWords.Escape(spec.Paths.Console)},server=on,wait=off"),
        new("-device", $"isa-serial,chardev={ConsoleChardev},index=0"),
        new("-chardev", $"socket,id={MetadataChardev},path={QemuWords.Escape(spec.Paths.Metadata)},server=on,wait=off"),
        new("-device", $"isa-serial,chardev={MetadataChardev},index=1"),
    ];

    private static void AddWords(List<QemuOption> options, string property, string? text, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
            return;
        if (!QemuWords.TrySplit(text, out var words, out var error))
        {
            problems.Add($"{property} {error}");
            return;
        }
        options.AddRange(words.Select(w => new QemuOption(w)));
    }
}
