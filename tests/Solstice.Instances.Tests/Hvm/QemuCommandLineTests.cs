using Solstice.Core;
using Solstice.Instances.Hvm;
using Solstice.TestKit;

namespace Solstice.Instances.Tests.Hvm;

public class QemuCommandLineTests
{
    private static readonly Guid s_uuid = Guid.Parse("5e7c2e3a-4b9f-4c51-9a3e-0d1f2b3c4d5e");

    internal static HvmSpec Minimal() => new()
    {
        Uuid = s_uuid,
        RamMiB = 256,
        Paths = HvmPaths.In("/run/solstice/vm/" + s_uuid),
        Disks = [new HvmDisk("/zones/" + s_uuid + "/disk0.raw", Boot: true)],
        Nics = [new HvmNic("vm5e7c2e3a0", "90:B8:D0:12:34:56")],
    };

    [Fact]
    public void Kvm_brand_with_SmartOS_defaults_matches_golden() =>
        Golden.Assert("qemu-kvm-minimal.txt", QemuCommandLine.Build(Minimal()).Render());

    [Fact]
    public void Kvm_brand_with_every_disk_and_nic_model_matches_golden()
    {
        var spec = Minimal() with
        {
            Accelerator = HvmAccelerator.Kvm,
            Vcpus = 4,
            RamMiB = 4096,
            CpuType = "host",
            Boot = "order=c,once=d",
            Vga = "cirrus",
            PlatformBuildstamp = "20261207T000000Z",
            Vnc = new HvmVnc(5901, "secret"),
            Disks =
            [
                new HvmDisk("/dev/zvol/zones/" + s_uuid + "-disk0", HvmDiskModel.Virtio, Boot: true, LogicalBlockSize: 512, PhysicalBlockSize: 4096),
                new HvmDisk("/zones/" + s_uuid + "/data,1.raw", HvmDiskModel.Ide),
                new HvmDisk("/zones/" + s_uuid + "/data2.raw", HvmDiskModel.Scsi, LogicalBlockSize: 4096, PhysicalBlockSize: 4096),
                new HvmDisk("/zones/" + s_uuid + "/install.iso", HvmDiskModel.Ide, Media: HvmDiskMedia.Cdrom),
                new HvmDisk("/zones/" + s_uuid + "/tools.iso", HvmDiskModel.Scsi, Media: HvmDiskMedia.Cdrom),
            ],
            Nics =
            [
                new HvmNic("vm5e7c2e3a0", "90:b8:d0:12:34:56"),
                new HvmNic("vm5e7c2e3a1", "90:b8:d0:12:34:57", HvmNicModel.E1000),
                new HvmNic("vm5e7c2e3a2", "90:b8:d0:12:34:58", HvmNicModel.Rtl8139),
            ],
        };
        Golden.Assert("qemu-kvm-devices.txt", QemuCommandLine.Build(spec).Render());
    }

    [Fact]
    public void Bhyve_brand_with_uefi_matches_golden()
    {
        var spec = Minimal() with
        {
            Brand = HvmBrand.Bhyve,
            Bootrom = HvmBootrom.Uefi,
            Firmware = HvmFirmware.Debian("/zones/" + s_uuid + "/uefi-vars.fd"),
            Vnc = new HvmVnc(HvmVnc.Disabled),
        };
        Golden.Assert("qemu-bhyve-uefi.txt", QemuCommandLine.Build(spec).Render());
    }

    [Fact]
    public void Qemu_opts_replace_the_display_defaults_and_extra_opts_come_last()
    {
        var spec = Minimal() with
        {
            QemuOpts = "-vnc none -usb",
            QemuExtraOpts = "-kernel /images/vmlinuz -append 'console=ttyS0 quiet' -name \"a b\"",
        };
        Golden.Assert("qemu-kvm-qemu-opts.txt", QemuCommandLine.Build(spec).Render());
    }

    [Fact]
    public void Argv_starts_with_the_binary_and_pairs_flags_with_values()
    {
        var line = QemuCommandLine.Build(Minimal());
        var argv = line.Argv();
        Assert.Equal("qemu-system-x86_64", argv[0]);
        Assert.Equal(["-nodefaults", "-no-user-config"], argv.Skip(1).Take(2));
        int smbios = argv.ToList().IndexOf("-smbios");
        Assert.Equal($"type=1,manufacturer=Joyent,product=SmartDC HVM,version=7.x,serial={s_uuid},uuid={s_uuid},sku=001,family=Virtual Machine", argv[smbios + 1]);
        Assert.Equal(argv.Count - 1, line.Arguments.Count);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_error()
    {
        var spec = Minimal() with
        {
            RamMiB = 4,
            Vcpus = 0,
            CpuType = "host; rm -rf /",
            Bootrom = HvmBootrom.Uefi,
            Vga = "hercules",
            Disks = [new HvmDisk("relative.raw", HvmDiskModel.Virtio, Media: HvmDiskMedia.Cdrom, LogicalBlockSize: 1000)],
            Nics = [new HvmNic("a/b", "not-a-mac")],
            QemuExtraOpts = "-append 'unterminated",
        };
        var ex = Assert.Throws<SolsticeException>(() => QemuCommandLine.Build(spec));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        foreach (var part in new[] { "ram must be at least 32", "vcpus must be between 1 and 64", "cpu_type 'host; rm -rf /'",
                     "bootrom uefi is only for brand bhyve", "bootrom uefi needs the UEFI firmware", "vga 'hercules'",
                     "disks[0].path 'relative.raw' must be an absolute path", "power of 2 from 512 to 65536, not 1000",
                     "disks[0] is a virtio cdrom", "nics[0]: 'a/b' is not a network interface name", "nics[0].mac 'not-a-mac'",
                     "qemu_extra_opts has an unterminated single quote" })
            Assert.Contains(part, ex.Message);
    }

    [Fact]
    public void A_vnc_password_never_appears_on_the_command_line()
    {
        var line = QemuCommandLine.Build(Minimal() with { Vnc = new HvmVnc(0, "hunter2") });
        Assert.DoesNotContain(line.Arguments, a => a.Contains("hunter2", StringComparison.Ordinal));
        Assert.Contains(line.Arguments, a => a.EndsWith(",password=on", StringComparison.Ordinal));
    }
}
