using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Instances.Hvm;
using Solstice.Instances.Hvm.Qmp;
using Solstice.Metadata;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Hvm;

/// <summary>
/// The test guest of scripts/images/build-hvm-guest.sh running under plain qemu-system-x86_64
/// (TCG) with the command line <see cref="QemuCommandLine.Build"/> makes, the real metadata server
/// behind COM2 (through <see cref="SerialMetadataTransport"/>) and a console reader on COM1.
/// The kernel and initramfs are passed with qemu_extra_opts, as an operator could.
/// </summary>
public sealed class HvmGuest : IAsyncDisposable
{
    /// <summary>Where scripts/deps.sh keeps the guest (built once from Debian packages).</summary>
    public const string ImageCache = "/var/cache/solstice/images/hvm-guest-v1";

    /// <summary>The key the guest asks for when booted from its disk (its default).</summary>
    public const string MetadataKey = "solstice-test";

    /// <summary>The key it asks for when booted with -kernel, passed on the kernel command line.</summary>
    public const string KernelArgKey = "from-the-append";

    public const string MetadataValue = "hello from the host";

    /// <summary>The disk-booted guest's vnc_password.</summary>
    public const string VncPassword = "s3cret";

    private readonly TempDirectory _dir = new("hvm");
    private readonly StringBuilder _console = new();
    private readonly Process _qemu;
    private readonly MetadataServer _metadata;
    private readonly Task _consoleReader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly StringBuilder _qemuOutput = new();

    /// <summary>
    /// Boots from a copy of the guest's raw disk (SeaBIOS, syslinux), as a VM boots from its image,
    /// or, with <paramref name="fromDisk"/> false, with -kernel/-initrd/-append in qemu_extra_opts
    /// and a blank 16 MiB boot disk.
    /// </summary>
    public HvmGuest(bool fromDisk)
    {
        Assert.True(File.Exists(Path.Combine(ImageCache, "disk.raw")), $"{ImageCache} holds no HVM guest: run scripts/deps.sh");
        Uuid = Guid.NewGuid();
        DiskPath = _dir.Combine("disk0.raw");
        if (fromDisk)
        {
            // The image is mostly empty FAT; a sparse copy costs a few MiB.
            using var copy = Process.Start("cp", ["--sparse=always", Path.Combine(ImageCache, "disk.raw"), DiskPath]);
            copy.WaitForExit();
            Assert.Equal(0, copy.ExitCode);
        }
        else
        {
            using var disk = File.Create(DiskPath);
            disk.SetLength(16 << 20);
        }
        Spec = new HvmSpec
        {
            Uuid = Uuid,
            RamMiB = 256,
            Paths = HvmPaths.In(_dir.Path),
            Disks = [new HvmDisk(DiskPath, Boot: true)],
            Vnc = new HvmVnc(HvmVnc.Random, fromDisk ? VncPassword : null),
            QemuExtraOpts = fromDisk ? null : $"-kernel {ImageCache}/vmlinuz -initrd {ImageCache}/initrd.img -append 'console=ttyS0 quiet mdata_key={KernelArgKey}'",
        };
        Argv = QemuCommandLine.Build(Spec).Argv();

        var vm = new JsonObject
        {
            ["uuid"] = Uuid.ToString(),
            ["customer_metadata"] = new JsonObject { [MetadataKey] = MetadataValue, [KernelArgKey] = MetadataValue + " via -append" },
        };
        _metadata = new MetadataServer(new SerialMetadataTransport(Spec.Paths.Metadata) { RetryDelay = TimeSpan.FromMilliseconds(20) },
            new VmMetadataStore(() => vm, (_, _) => ValueTask.CompletedTask));
        _metadata.Start();

        var start = new ProcessStartInfo(Argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in Argv.Skip(1))
            start.ArgumentList.Add(arg);
        _qemu = new Process { StartInfo = start };
        _qemu.OutputDataReceived += (_, e) => { lock (_qemuOutput) _qemuOutput.AppendLine(e.Data); };
        _qemu.ErrorDataReceived += (_, e) => { lock (_qemuOutput) _qemuOutput.AppendLine(e.Data); };
        _qemu.Start();
        _qemu.BeginOutputReadLine();
        _qemu.BeginErrorReadLine();
        _consoleReader = Task.Run(ReadConsoleAsync);
    }

    public Guid Uuid { get; }

    public HvmSpec Spec { get; }

    public IReadOnlyList<string> Argv { get; }

    public string DiskPath { get; }

    public string Directory => _dir.Path;

    public Process Qemu => _qemu;

    /// <summary>When the console first showed the guest's init line, from QEMU's start.</summary>
    public TimeSpan? FirstInitLine { get; private set; }

    public string Console
    {
        get
        {
            lock (_console)
                return _console.ToString();
        }
    }

    public string QemuOutput
    {
        get
        {
            lock (_qemuOutput)
                return _qemuOutput.ToString();
        }
    }

    /// <summary>Waits until the console shows <paramref name="text"/>; fails with the console and QEMU's output.</summary>
    public async Task WaitForConsoleAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Console.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout || _qemu.HasExited)
                Assert.Fail($"the console did not show '{text}' within {timeout.TotalSeconds:0} s (qemu exited: {_qemu.HasExited})\nconsole:\n{Console}\nqemu:\n{QemuOutput}");
            await Task.Delay(50);
        }
    }

    public async Task<QmpClient> ConnectQmpAsync()
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await QmpClient.ConnectAsync(Spec.Paths.Qmp);
            }
            catch (Solstice.Core.SolsticeException) when (i < 100 && !_qemu.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task ReadConsoleAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Spec.Paths.Console), _stop.Token);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(10);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                lock (_console)
                {
                    _console.Append(Encoding.UTF8.GetString(buffer, 0, read));
                    if (FirstInitLine is null && _console.ToString().Contains("solstice-guest: init", StringComparison.Ordinal))
                        FirstInitLine = _clock.Elapsed;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_qemu.HasExited)
        {
            _qemu.Kill();
            await _qemu.WaitForExitAsync();
        }
        await _stop.CancelAsync();
        await _consoleReader;
        await _metadata.DisposeAsync();
        _qemu.Dispose();
        _dir.Dispose();
    }
}
