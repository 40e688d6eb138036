using Solstice.Instances.Hvm;

namespace Solstice.Instances.Tests.Hvm;

public class AcceleratorProbeTests
{
    [Fact]
    public async Task No_device_means_TCG_with_the_reason()
    {
        var result = await new AcceleratorProbe { KvmDevice = "/nonexistent/kvm" }.ProbeAsync();
        Assert.Equal(HvmAccelerator.Tcg, result.Accelerator);
        Assert.Equal("qemu-tcg", result.HvmApi);
        Assert.Equal("/nonexistent/kvm does not exist", result.Reason);
    }

    [Fact]
    public async Task A_device_that_is_not_KVM_means_TCG()
    {
        var result = await new AcceleratorProbe { KvmDevice = "/dev/null" }.ProbeAsync();
        Assert.Equal(HvmAccelerator.Tcg, result.Accelerator);
        Assert.StartsWith("/dev/null speaks KVM API -1", result.Reason);
    }

    [Fact]
    public void The_probe_guest_is_a_kernel_on_the_serial_line_that_must_not_reboot()
    {
        var argv = new AcceleratorProbe().ProbeArgv("/boot/vmlinuz");
        Assert.Equal("qemu-system-x86_64", argv[0]);
        Assert.Contains("-no-reboot", argv);
        Assert.Equal("kvm", argv[argv.ToList().IndexOf("-accel") + 1]);
        Assert.Equal("/boot/vmlinuz", argv[argv.ToList().IndexOf("-kernel") + 1]);
    }

    [Fact]
    public void The_HVM_API_names_are_SmartOS_sysinfo_style()
    {
        Assert.Equal("qemu-kvm", new AcceleratorProbeResult(HvmAccelerator.Kvm, "").HvmApi);
        Assert.Equal("qemu-tcg", new AcceleratorProbeResult(HvmAccelerator.Tcg, "").HvmApi);
    }
}
