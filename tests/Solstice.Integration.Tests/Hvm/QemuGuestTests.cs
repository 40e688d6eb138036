using System.Net;
using System.Net.Sockets;
using System.Text;
using Solstice.Instances.Hvm;
using Solstice.Instances.Hvm.Qmp;
using Solstice.TestKit;
using Xunit.Abstractions;

namespace Solstice.Integration.Tests.Hvm;

/// <summary>
/// The QEMU driver's building blocks against a real QEMU (TCG, as on CI): one guest is booted and
/// every assertion shares it, since a TCG boot costs seconds on two cores.
/// </summary>
[Collection("Hvm")]
public sealed class QemuGuestTests(ITestOutputHelper output)
{
    [PrivilegedFact]
    public async Task A_guest_sees_SmartDC_HVM_and_its_metadata_answers_QMP_and_VNC_grows_a_disk_and_powers_down()
    {
        await using var guest = new HvmGuest(fromDisk: true);
        await guest.WaitForConsoleAsync("solstice-guest: ready", TimeSpan.FromSeconds(180));
        output.WriteLine($"first init line after {guest.FirstInitLine?.TotalSeconds:0.00} s");

        // SMBIOS and COM2 metadata, as the guest printed them on COM1.
        Assert.Contains("product: SmartDC HVM", guest.Console);
        Assert.Contains($"serial: {guest.Uuid}", guest.Console);
        Assert.Contains($"mdata {HvmGuest.MetadataKey}={HvmGuest.MetadataValue}", guest.Console);

        await using var qmp = await guest.ConnectQmpAsync();
        Assert.Equal(new QmpStatus(true, "running"), await qmp.QueryStatusAsync());
        Assert.True((await qmp.QueryVersionAsync()).Qemu.Major >= 7);
        var chardevs = await qmp.QueryChardevAsync();
        Assert.Contains(chardevs, c => c.Label == QemuCommandLine.MetadataChardev && c.FrontendOpen);
        Assert.Single(await qmp.QueryCpusFastAsync());
        Assert.Contains((await qmp.QueryPciAsync()).SelectMany(b => b.Devices), d => d.QdevId == "disk0-dev");

        // VNC: QEMU on its unix socket, with the password set over QMP; the proxy on a kernel-chosen loopback port.
        await qmp.SetVncPasswordAsync(HvmGuest.VncPassword);
        var vnc = await qmp.QueryVncAsync();
        Assert.True(vnc.Enabled);
        Assert.Equal("vnc", vnc.Auth);
        Assert.Equal(guest.Spec.Paths.Vnc, vnc.Service);
        await using (var proxy = new VncProxy(IPAddress.Loopback, 0, guest.Spec.Paths.Vnc))
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
            var banner = new byte[12];
            await client.GetStream().ReadExactlyAsync(banner).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(banner));
        }

        // block_resize grows the raw file (the boot disk, 64 MiB) under the running guest.
        await qmp.BlockResizeAsync("disk0", 96 << 20);
        Assert.Equal(96 << 20, new FileInfo(guest.DiskPath).Length);
        var disk = Assert.Single(await qmp.QueryBlockAsync(), b => b.Inserted?.NodeName == "disk0");
        Assert.Equal(96 << 20, disk.Inserted!.Image!.VirtualSize);

        // screendump (VGA std) and an NMI the guest survives.
        string png = Path.Combine(guest.Directory, "screen.png");
        await qmp.ScreendumpAsync(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        await qmp.InjectNmiAsync();
        Assert.True((await qmp.QueryStatusAsync()).Running);

        // ACPI power button: the guest powers off and QEMU exits on its own.
        await qmp.SystemPowerdownAsync();
        await guest.WaitForConsoleAsync("solstice-guest: powerdown", TimeSpan.FromSeconds(60));
        await guest.Qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, guest.Qemu.ExitCode);
        var events = new List<string>();
        while (qmp.Events.TryRead(out var e))
            events.Add(e.Name);
        Assert.Contains("POWERDOWN", events);
    }

    [PrivilegedFact]
    public async Task A_guest_booted_with_kernel_arguments_in_qemu_extra_opts_gets_them_intact()
    {
        await using var guest = new HvmGuest(fromDisk: false);
        await guest.WaitForConsoleAsync("solstice-guest: ready", TimeSpan.FromSeconds(180));
        output.WriteLine($"first init line after {guest.FirstInitLine?.TotalSeconds:0.00} s");
        // The quoted -append reached the kernel as one argument: the guest asked for the key it named.
        Assert.Contains($"mdata {HvmGuest.KernelArgKey}={HvmGuest.MetadataValue} via -append", guest.Console);
        await using var qmp = await guest.ConnectQmpAsync();
        await qmp.QuitAsync();
        await guest.Qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [PrivilegedFact]
    public async Task The_accelerator_probe_refuses_KVM_that_cannot_boot_the_guest_kernel()
    {
        // On CI and this machine /dev/kvm exists and creates VMs, but Linux guests hang under it.
        var probe = new AcceleratorProbe { Kernel = Path.Combine(HvmGuest.ImageCache, "vmlinuz"), Timeout = TimeSpan.FromSeconds(10) };
        var result = await probe.ProbeAsync();
        output.WriteLine($"{result.HvmApi}: {result.Reason}");
        if (probe.CheckDevice() is { } reason)
            Assert.Equal(reason, result.Reason);
        Assert.Contains(result.HvmApi, new[] { "qemu-kvm", "qemu-tcg" });
    }
}

/// <summary>TCG guests are CPU-bound: one at a time, so timings stay meaningful on two cores.</summary>
[CollectionDefinition("Hvm", DisableParallelization = true)]
public sealed class HvmCollection;
