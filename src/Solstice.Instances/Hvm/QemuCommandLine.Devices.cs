using System.Globalization;

namespace Solstice.Instances.Hvm;

public sealed partial class QemuCommandLine
{
    /// <summary>vga values and their QEMU devices; "none" adds no display adapter.</summary>
    private static readonly Dictionary<string, string?> s_vgaDevices = new(StringComparer.Ordinal)
    {
        ["std"] = "VGA",
        ["cirrus"] = "cirrus-vga",
        ["vmware"] = "vmware-svga",
        ["qxl"] = "qxl-vga",
        ["virtio"] = "virtio-vga",
        ["none"] = null,
    };

    private static List<QemuOption> Display(HvmSpec spec, List<string> problems)
    {
        var options = new List<QemuOption> { new("-display", "none") };
        var vga = spec.Vga ?? "std";
        if (!s_vgaDevices.TryGetValue(vga, out var device))
            problems.Add($"vga '{vga}' is not one of {string.Join(", ", s_vgaDevices.Keys)}");
        else if (device is not null)
            options.Add(new("-device", $"{device},id=video0"));
        // SmartOS leaves VNC and the tablet out when qemu_opts is given (VM.js startVM).
        if (spec.QemuOpts is null)
        {
            options.Add(new("-vnc", $"unix:{QemuWords.Escape(spec.Paths.Vnc)}" + (spec.Vnc.HasPassword ? ",password=on" : "")));
            options.Add(new("-device", "qemu-xhci,id=usb"));
            options.Add(new("-device", "usb-tablet,bus=usb.0"));
        }
        return options;
    }

    private static List<QemuOption> Disks(HvmSpec spec, List<string> problems)
    {
        var options = new List<QemuOption>();
        if (spec.Disks.Any(d => d.Model == HvmDiskModel.Scsi))
            options.Add(new("-device", "virtio-scsi-pci,id=scsi0"));
        // From 1: QEMU gives index 0 to the linuxboot option ROM when -kernel comes in qemu_extra_opts,
        // and a second 0 would refuse to start. Only the order matters to the firmware.
        int bootIndex = 1;
        for (int i = 0; i < spec.Disks.Count; i++)
        {
            var disk = spec.Disks[i];
            string node = $"disk{i}";
            bool cdrom = disk.Media == HvmDiskMedia.Cdrom;
            string readOnly = cdrom ? ",read-only=on" : "";
            // A block device (the zvol equivalent) needs host_device, which also sizes it by ioctl.
            string driver = disk.Path.StartsWith("/dev/", StringComparison.Ordinal) ? "host_device" : "file";
            options.Add(new("-blockdev", $"driver={driver},node-name={node}-file,filename={QemuWords.Escape(disk.Path)}{readOnly}" + (cdrom ? "" : ",discard=unmap")));
            options.Add(new("-blockdev", $"driver=raw,node-name={node},file={node}-file{readOnly}"));
            string? device = (disk.Model, cdrom) switch
            {
                (HvmDiskModel.Virtio, false) => "virtio-blk-pci",
                (HvmDiskModel.Ide, false) => "ide-hd",
                (HvmDiskModel.Ide, true) => "ide-cd",
                (HvmDiskModel.Scsi, false) => "scsi-hd,bus=scsi0.0",
                (HvmDiskModel.Scsi, true) => "scsi-cd,bus=scsi0.0",
                _ => null,
            };
            if (device is null)
            {
                problems.Add($"disks[{i}] is a virtio cdrom; a cdrom must be ide or scsi");
                continue;
            }
            string args = $"{device},drive={node},id={node}-dev";
            if (disk.Boot)
                args += $",bootindex={bootIndex++}";
            if (disk.LogicalBlockSize is int logical)
                args += $",logical_block_size={logical}";
            if (disk.PhysicalBlockSize is int physical)
                args += $",physical_block_size={physical}";
            options.Add(new("-device", args));
        }
        return options;
    }

    private static List<QemuOption> Nics(HvmSpec spec)
    {
        var options = new List<QemuOption>();
        for (int i = 0; i < spec.Nics.Count; i++)
        {
            var nic = spec.Nics[i];
            string id = "net" + i.ToString(CultureInfo.InvariantCulture);
            string device = nic.Model switch
            {
                HvmNicModel.E1000 => "e1000",
                HvmNicModel.Rtl8139 => "rtl8139",
                _ => "virtio-net-pci",
            };
            options.Add(new("-netdev", $"tap,id={id},ifname={nic.Tap},script=no,downscript=no"));
            options.Add(new("-device", $"{device},netdev={id},mac={nic.Mac.ToLowerInvariant()},id={id}-dev"));
        }
        return options;
    }
}
