using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Solstice.Core;

namespace Solstice.Linux;

/// <summary>
/// A read-only in-memory copy of an executable: a memfd holding the file's bytes, sealed against
/// writes, growth, shrinking and further seals. Run it through LaunchPath (/proc/self/fd/N): the kernel
/// opens that path before it closes close-on-exec descriptors, so the memfd stays CLOEXEC and no child
/// inherits it, yet the executed program's /proc/self/exe is the sealed memfd. runc 1.1 checks exactly
/// that (seals == SEAL|SHRINK|GROW|WRITE) and then skips its own per-call copy before `runc init`.
/// LaunchPath only means something inside this process; argv handed to other processes keeps the real path.
/// </summary>
public sealed partial class SealedExecutable : IDisposable
{
    private const uint MfdCloexec = 0x1;
    private const uint MfdAllowSealing = 0x2;
    private const int FAddSeals = 1024 + 9;
    private const int FGetSeals = 1024 + 10;

    /// <summary>F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE, the set runc recognises.</summary>
    public const int Seals = 0x1 | 0x2 | 0x4 | 0x8;

    private readonly SafeFileHandle _handle;

    private SealedExecutable(SafeFileHandle handle, string sourcePath)
    {
        _handle = handle;
        SourcePath = sourcePath;
    }

    /// <summary>The file the copy was made from.</summary>
    public string SourcePath { get; }

    public int Descriptor => (int)_handle.DangerousGetHandle();

    /// <summary>/proc/self/fd/N: executable by this process (and the children it forks) only.</summary>
    public string LaunchPath => "/proc/self/fd/" + Descriptor.ToString(CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlInt(int fd, int cmd, int arg);

    /// <exception cref="SolsticeException">Unavailable when the file can't be read or the kernel lacks sealed memfds.</exception>
    public static SealedExecutable Create(string sourcePath)
    {
        string name = Path.GetFileName(sourcePath);
        int fd = MemfdCreate(name, MfdCloexec | MfdAllowSealing);
        if (fd < 0)
            throw new SolsticeException(ErrorCode.Unavailable,
                $"cannot make a sealed in-memory copy of {sourcePath}: memfd_create failed ({Marshal.GetLastPInvokeErrorMessage()})");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, File.ReadAllBytes(sourcePath), fileOffset: 0);
            if (FcntlInt(fd, FAddSeals, Seals) < 0 || FcntlInt(fd, FGetSeals, 0) != Seals)
                throw new SolsticeException(ErrorCode.Unavailable,
                    $"cannot seal the in-memory copy of {sourcePath} ({Marshal.GetLastPInvokeErrorMessage()})");
            return new SealedExecutable(handle, sourcePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            throw new SolsticeException(ErrorCode.Unavailable, $"cannot copy {sourcePath} into memory: {ex.Message}", ex);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The seals the copy carries now (Seals once created).</summary>
    public int CurrentSeals() => FcntlInt(Descriptor, FGetSeals, 0);

    public void Dispose() => _handle.Dispose();
}
