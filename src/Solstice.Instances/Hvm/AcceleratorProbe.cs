using System.Diagnostics;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Hvm;

/// <summary>What the probe found: the accelerator VMs get, and why.</summary>
public sealed record AcceleratorProbeResult(HvmAccelerator Accelerator, string Reason)
{
    /// <summary>sysinfo's "HVM API": "qemu-kvm" or "qemu-tcg".</summary>
    public string HvmApi => Accelerator == HvmAccelerator.Kvm ? "qemu-kvm" : "qemu-tcg";
}

/// <summary>
/// Decides between KVM and TCG. /dev/kvm answering ioctls is not enough: on nested hosts KVM
/// can create VMs whose guests then hang (on this project's CI machine SeaBIOS runs under KVM, but
/// Linux never prints a line). So KVM is chosen only when, in order, /dev/kvm opens read-write,
/// KVM_GET_API_VERSION says 12, KVM_CREATE_VM succeeds, and QEMU with -accel kvm boots a Linux
/// kernel far enough to print its "Linux version" banner on the serial line within the timeout.
/// Anything else means TCG, with the reason. The kernel is the host's own (/boot/vmlinuz-&lt;release&gt;)
/// unless one is given; without a kernel there is no proof and the answer is TCG.
/// </summary>
public sealed class AcceleratorProbe
{
    private const ulong KvmGetApiVersion = 0xAE00; // _IO(KVMIO, 0x00), linux/kvm.h
    private const ulong KvmCreateVm = 0xAE01;      // _IO(KVMIO, 0x01)
    private const int KvmApiVersion = 12;
    private const int ORdWr = 0x2;

    /// <summary>The line a booting kernel prints first (start_kernel's banner).</summary>
    public const string KernelBanner = "Linux version ";

    public string KvmDevice { get; init; } = "/dev/kvm";

    public string QemuBinary { get; init; } = QemuCommandLine.Binary;

    /// <summary>The kernel the probe guest boots; null tries /boot/vmlinuz-$(uname -r), /boot/vmlinuz and /vmlinuz.</summary>
    public string? Kernel { get; init; }

    /// <summary>How long the probe guest may take to print its banner; hung nested KVM is cut off here.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public async Task<AcceleratorProbeResult> ProbeAsync(CancellationToken ct = default)
    {
        if (CheckDevice() is { } deviceProblem)
            return new(HvmAccelerator.Tcg, deviceProblem);
        var kernel = Kernel ?? DefaultKernel();
        if (kernel is null || !File.Exists(kernel))
            return new(HvmAccelerator.Tcg, $"{KvmDevice} works, but there is no kernel to boot a probe guest with ({kernel ?? "none in /boot"})");
        return await BootProbeAsync(kernel, ct);
    }

    /// <summary>The /dev/kvm checks; null when they pass, else why not.</summary>
    public unsafe string? CheckDevice()
    {
        if (!File.Exists(KvmDevice))
            return $"{KvmDevice} does not exist";
        int fd = Libc.Open(KvmDevice, ORdWr | Libc.OCloexec, 0);
        if (fd < 0)
            return $"cannot open {KvmDevice}: {Libc.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}";
        try
        {
            int version = Libc.Ioctl(fd, KvmGetApiVersion, null);
            if (version != KvmApiVersion)
                return $"{KvmDevice} speaks KVM API {version}, not {KvmApiVersion}";
            int vm = Libc.Ioctl(fd, KvmCreateVm, null);
            if (vm < 0)
                return $"{KvmDevice} cannot create a VM: {Libc.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}";
            Libc.Close(vm);
            return null;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>The QEMU argv of the probe guest: KVM, no devices, the kernel's console on stdout, no reboot on its panic.</summary>
    public IReadOnlyList<string> ProbeArgv(string kernel) =>
    [
        QemuBinary, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "kvm", "-cpu", QemuCommandLine.DefaultCpuType,
        "-m", "128", "-display", "none", "-no-reboot", "-serial", "stdio",
        "-kernel", kernel, "-append", "console=ttyS0 earlyprintk=serial,ttyS0 panic=-1",
    ];

    private async Task<AcceleratorProbeResult> BootProbeAsync(string kernel, CancellationToken ct)
    {
        var argv = ProbeArgv(kernel);
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new(HvmAccelerator.Tcg, $"cannot run {QemuBinary}: {ex.Message}");
        }
        var clock = Stopwatch.StartNew();
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Contains(KernelBanner, StringComparison.Ordinal))
                    return new(HvmAccelerator.Kvm, $"a probe guest booted with KVM in {clock.Elapsed.TotalSeconds:0.0} s");
            }
            await process.WaitForExitAsync(deadline.Token);
            string error = (await stderr).Trim();
            return new(HvmAccelerator.Tcg, $"QEMU with KVM exited ({process.ExitCode}) before the probe guest printed a line" + (error.Length > 0 ? ": " + Last(error) : ""));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(HvmAccelerator.Tcg, $"a probe guest under KVM printed nothing within {Timeout.TotalSeconds:0} s (nested virtualisation that hangs?)");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static string Last(string text) => text.Split('\n')[^1];

    private static string? DefaultKernel()
    {
        string release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        string[] candidates = [$"/boot/vmlinuz-{release}", "/boot/vmlinuz", "/vmlinuz"];
        return candidates.FirstOrDefault(File.Exists);
    }
}
