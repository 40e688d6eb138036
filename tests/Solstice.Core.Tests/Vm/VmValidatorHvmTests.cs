using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

/// <summary>kvm and bhyve payloads: which HVM properties each brand takes, and their values (VM.js, vmadm.8).</summary>
public class VmValidatorHvmTests
{
    // vmadm.8 "Example 3: Creating a KVM VM."
    private const string ManExample3 = """
        {'brand': 'kvm', 'vcpus': 1, 'ram': 256,
         'disks': [{'boot': true, 'model': 'virtio', 'image_uuid': 'e173ecd7-4809-4429-af12-5d11bcc29fd8',
                    'image_name': 'ubuntu-10.04.2.7', 'image_size': 5120}],
         'nics': [{'nic_tag': 'external', 'model': 'virtio', 'ips': ['10.88.88.51/24'], 'gateways': ['10.88.88.2'],
                   'primary': true}]}
        """;

    private static VmValidationResult Validate(string payload, VmAction action = VmAction.Create, string? brand = null) =>
        VmValidator.Validate(J(payload.Replace("@img", ImageUuid, StringComparison.Ordinal)), action, brand);

    [Fact]
    public void The_man_page_kvm_example_is_valid()
    {
        var result = Validate(ManExample3);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal("VALID 'create' payload for kvm brand VMs.", result.Message);
    }

    [Theory]
    [InlineData("""
        {'brand': 'kvm', 'ram': 2048, 'vcpus': 2, 'cpu_type': 'host', 'boot': 'order=cd,once=d', 'vnc_port': -1,
         'vnc_password': '12345678', 'qemu_opts': '-x', 'qemu_extra_opts': '-y', 'vga': 'std', 'nic_driver': 'e1000',
         'disk_driver': 'ide', 'virtio_txburst': 128, 'virtio_txtimer': 200000,
         'disks': [{'size': 10240, 'model': 'scsi', 'block_size': 4096, 'refreservation': 0, 'compression': 'lz4',
                    'zpool': 'zones'},
                   {'media': 'cdrom', 'path': '/iso/x.iso', 'model': 'ide'},
                   {'nocreate': true, 'path': '/dev/zvol/rdsk/zones/x-disk2', 'size': 1}],
         'nics': [{'nic_tag': 'admin', 'model': 'rtl8139', 'ips': ['dhcp'], 'allow_unfiltered_promisc': true}]}
        """)]
    [InlineData("""
        {'brand': 'bhyve', 'ram': 1024, 'vcpus': 2, 'bootrom': 'uefi', 'com1': '/dev/zconsole', 'com2': 'socket,/tmp/vm.ttyb',
         'flexible_disk_size': 20480, 'vnc_port': 0, 'bhyve_extra_opts': '-x', 'disk_driver': 'nvme',
         'disks': [{'image_uuid': '@img', 'image_size': 10240, 'size': 12288, 'boot': true, 'model': 'ahci',
                    'uuid': '@img', 'pci_slot': '0:4:0', 'guest_block_size': '512/4096', 'notrim': true}],
         'nics': [{'nic_tag': 'admin', 'model': 'virtio', 'ips': ['dhcp']}]}
        """)]
    [InlineData("{'brand': 'bhyve', 'disks': [{'size': 10240, 'model': 'virtio', 'guest_block_size': '4096'}]}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'media': 'cdrom', 'image_uuid': '@img'}]}")] // a cdrom needs neither size nor image_size
    public void Valid_hvm_create_payloads(string payload)
    {
        var result = Validate(payload);
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    // brand-specific properties, as proptable.js allows them
    [InlineData("{'brand': 'bhyve', 'cpu_type': 'host', 'qemu_opts': '-x', 'qemu_extra_opts': '-y', 'vga': 'std'}", "{'bad_properties':['cpu_type','qemu_opts','qemu_extra_opts','vga']}")]
    [InlineData("{'brand': 'kvm', 'bootrom': 'bios', 'com1': 'x', 'com2': 'y', 'flexible_disk_size': 1, 'bhyve_extra_opts': '-x'}", "{'bad_properties':['bootrom','com1','com2','flexible_disk_size','bhyve_extra_opts']}")]
    [InlineData("{'image_uuid': '@img', 'ram': 512, 'cpu_type': 'host', 'boot': 'order=c', 'vnc_port': 1, 'disk_driver': 'virtio', 'nic_driver': 'virtio'}", "{'bad_properties':['cpu_type','boot','vnc_port','disk_driver','nic_driver']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'size': 1, 'uuid': '@img', 'pci_slot': '0:4:0', 'notrim': true, 'dangerous_allow_shrink': true, 'bogus': 1}]}", "{'bad_properties':['disks.0.uuid','disks.0.pci_slot','disks.0.notrim','disks.0.dangerous_allow_shrink','disks.0.bogus']}")]
    [InlineData("{'brand': 'bhyve', 'disks': [{'size': 1, 'image_name': 'x'}]}", "{'bad_properties':['disks.0.image_name']}")]
    // values
    [InlineData("{'brand': 'kvm', 'cpu_type': 'pentium', 'vcpus': 0, 'ram': 0}", "{'bad_values':['cpu_type','vcpus','ram']}")]
    [InlineData("{'brand': 'kvm', 'vnc_port': 65536, 'vnc_password': '123456789', 'vga': 'svga'}", "{'bad_values':['vnc_port','vnc_password','vga']}")]
    [InlineData("{'brand': 'kvm', 'vnc_port': -2, 'boot': 'order=x'}", "{'bad_values':['vnc_port','boot']}")]
    [InlineData("{'brand': 'bhyve', 'bootrom': '/uefi-debug.bin', 'flexible_disk_size': -1}", "{'bad_values':['bootrom','flexible_disk_size']}")]
    [InlineData("{'brand': 'kvm', 'nic_driver': 'ne2k', 'disk_driver': 'nvme', 'nics': [{'nic_tag': 'a', 'model': 'vmxnet'}]}", "{'bad_values':['nic_driver','disk_driver','nics.0.model']}")]
    [InlineData("{'brand': 'bhyve', 'disks': [{'size': 1, 'model': 'ide', 'media': 'floppy'}]}", "{'bad_values':['disks.0.model','disks.0.media']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'size': -1, 'block_size': 1000, 'boot': 'yes', 'compression': 'zstd'}]}", "{'bad_values':['disks.0.size','disks.0.block_size','disks.0.boot','disks.0.compression']}")]
    [InlineData("{'brand': 'bhyve', 'disks': [{'size': 1, 'uuid': 'x', 'guest_block_size': '512/3000', 'pci_slot': 'slot'}]}", "{'bad_values':['disks.0.uuid','disks.0.guest_block_size','disks.0.pci_slot']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'size': 1, 'path': '/dev/zvol/rdsk/zones/x-disk0'}]}", "{'bad_values':['disks.0.path']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'size': 1}, 'disk1']}", "{'bad_values':['disks.1']}")]
    // disk sources (VM.js validateDiskSource)
    [InlineData("{'brand': 'kvm', 'disks': [{'boot': true}]}", "{'missing_properties':['disks.0.size']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'image_uuid': '@img'}]}", "{'missing_properties':['disks.0.image_size']}")]
    [InlineData("{'brand': 'kvm', 'disks': [{'image_uuid': '@img', 'image_size': 1, 'size': 2, 'block_size': 512}]}", "{'bad_properties':['disks.0.size','disks.0.block_size']}")]
    [InlineData("{'brand': 'bhyve', 'disks': [{'size': 2, 'image_size': 1}]}", "{'bad_properties':['disks.0.image_size']}")]
    public void Invalid_hvm_create_payloads(string payload, string expected)
    {
        var result = Validate(payload);
        Assert.False(result.IsValid);
        Assert.Equal(expected.Replace('\'', '"'), Compact(result.ToDetailedJson()));
    }

    [Fact]
    public void Names_and_reasons_follow_vmjs()
    {
        var result = Validate("""
            {'brand': 'kvm', 'cpu_type': 'x', 'vnc_password': 'much too long',
             'disks': [{'image_uuid': '@img', 'model': 'nvme'}, {'size': 1, 'image_name': 'n'}],
             'nics': [{'nic_tag': 'a', 'model': 'x'}]}
            """);
        Assert.Equal(
            "{'bad_values':['cpu_type','vnc_password','disks.*.model','nics.*.model'],'bad_properties':['disks.1.image_name']," +
            "'missing_properties':['disks.0.image_size']}",
            Compact(result.ToJson()).Replace('"', '\''));
        Assert.Contains("cpu_type (must be one of qemu64, host)", result.Message, StringComparison.Ordinal);
        Assert.Contains("vnc_password (VNC password is too long, maximum length is 8 characters.)", result.Message, StringComparison.Ordinal);
        Assert.Contains("disks.0.model (\"nvme\" is not a valid disk model for kvm brand. Valid are: virtio,scsi,ide)", result.Message,
            StringComparison.Ordinal);
        Assert.Contains("nics.0.model (must be one of virtio, e1000, rtl8139)", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'ram': 4096, 'vcpus': 8, 'cpu_type': 'qemu64', 'boot': 'once=n', 'vnc_password': '', 'qemu_extra_opts': '-x'}", "kvm")]
    [InlineData("{'add_disks': [{'image_uuid': '@img', 'image_size': 1024, 'model': 'virtio'}], 'update_disks': [{'path': '/dev/zvol/rdsk/zones/x-disk0', 'boot': true, 'model': 'ide'}]}", "kvm")]
    [InlineData("{'bootrom': '/uefi-debug.bin', 'flexible_disk_size': 40960, 'update_disks': [{'path': '/dev/zvol/rdsk/zones/x/disk0', 'size': 20480, 'dangerous_allow_shrink': true}]}", "bhyve")]
    [InlineData("{'add_nics': [{'nic_tag': 'admin', 'model': 'e1000', 'ips': ['dhcp']}], 'update_nics': [{'mac': '0:1:2:3:4:5', 'model': 'virtio'}]}", "bhyve")]
    public void Valid_hvm_update_payloads(string payload, string brand)
    {
        var result = Validate(payload, VmAction.Update, brand);
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("{'update_disks': [{'path': '/dev/zvol/rdsk/zones/x-disk0', 'size': 20480, 'block_size': 512, 'image_uuid': '@img'}]}", "kvm", "{'bad_properties':['update_disks.0.size','update_disks.0.block_size','update_disks.0.image_uuid']}")]
    [InlineData("{'update_disks': [{'boot': true}]}", "kvm", "{'missing_properties':['update_disks.0.path']}")]
    [InlineData("{'add_disks': [{'model': 'virtio'}], 'bootrom': 'efi'}", "bhyve", "{'bad_values':['bootrom'],'missing_properties':['add_disks.0.size']}")]
    [InlineData("{'add_disks': [{'path': '/x', 'size': 1}]}", "bhyve", "{'bad_values':['add_disks.0.path']}")]
    [InlineData("{'cpu_type': 'host', 'qemu_opts': '-x'}", "bhyve", "{'bad_properties':['cpu_type','qemu_opts']}")]
    public void Invalid_hvm_update_payloads(string payload, string brand, string expected)
    {
        var result = Validate(payload, VmAction.Update, brand);
        Assert.Equal(expected.Replace('\'', '"'), Compact(result.ToDetailedJson()));
    }

    [Theory]
    [InlineData("order=cd", true)]
    [InlineData("order=cdn,once=d", true)]
    [InlineData("once=d", true)]
    [InlineData("order=", false)]
    [InlineData("order=cd,order=n", false)]
    [InlineData("order=cx", false)]
    [InlineData("boot=c", false)]
    [InlineData("", false)]
    public void Boot_order_strings(string text, bool valid) => Assert.Equal(valid, VmValidator.IsBootOrder(text));

    [Fact]
    public void A_kvm_create_defaults_its_disks_and_derives_memory()
    {
        var vm = VmDefaults.CreateVm(J(ManExample3.Replace("'model': 'virtio', 'image_uuid'", "'image_uuid'", StringComparison.Ordinal)
            .Replace("'ram': 256", "'ram': 2048, 'disk_driver': 'scsi'", StringComparison.Ordinal)), Facts());
        Assert.Equal("KVM", VmJson.AsString(vm["type"]));
        Assert.True(vm["hvm"]!.GetValue<bool>());
        Assert.Null(vm["image_uuid"]);
        Assert.Equal(3072, (long)vm["max_physical_memory"]!);
        var disk = (JsonObject)((JsonArray)vm["disks"]!)[0]!;
        Assert.Equal("scsi", VmJson.AsString(disk["model"]));
        Assert.Equal("disk", VmJson.AsString(disk["media"]));
        Assert.Equal("virtio", VmJson.AsString(((JsonArray)vm["nics"]!)[0]!["model"]));
    }
}
