using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Archive;
using Solstice.Images.Compression;
using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Images;

/// <summary>
/// zvol images: a hardware VM's disk. SmartOS keeps one as a ZFS volume; here the image dataset
/// holds one file, disk.raw, of exactly image_size MiB, marked NOCOW (btrfs writes it in place, as a
/// VM disk wants) and written sparse (zero blocks are holes). The image file's decompressed content
/// is a raw disk or a qcow2 disk (converted with qemu-img); a ZFS send stream is refused.
/// </summary>
public sealed partial class ImageStore
{
    /// <summary>The disk file in a zvol image's dataset (and in every clone of its @final).</summary>
    public const string ZvolDiskFile = "disk.raw";

    private const long MiB = 1L << 20;
    private const int SparseBlock = 4096;
    private const int CopyBuffer = 1 << 20;
    private const string QcowTemp = ".disk.qcow2";
    private static readonly byte[] s_qcowMagic = [(byte)'Q', (byte)'F', (byte)'I', 0xfb];
    private static readonly TimeSpan s_convertTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The command runner for qemu-img (a zvol image in qcow2 format).</summary>
    public ICommandRunner Commands { get; init; } = ProcessCommandRunner.Instance;

    /// <summary>
    /// The installed disk file of zvol image uuid (in the image's dataset), or null when uuid is not
    /// an installed zvol image. The HVM driver gives a VM a clone of the image's @final snapshot,
    /// in which the disk is the same file name, <see cref="ZvolDiskFile"/>.
    /// </summary>
    public string? ZvolDiskPath(Guid uuid)
    {
        string path = Path.Combine(Pool.PathOf(DatasetOf(uuid)), ZvolDiskFile);
        return Find(uuid)?.Manifest.Type == "zvol" && Pool.Exists(SnapshotOf(uuid)) && File.Exists(path) ? path : null;
    }

    /// <summary>What a zvol image must satisfy before anything is created: its disk size in bytes.</summary>
    private long ZvolCapacity(ImageManifest manifest)
    {
        Guid uuid = manifest.Uuid;
        if (manifest.ImageSizeMiB is not { } mib)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {uuid}: a zvol image needs image_size (the disk's size in MiB, a positive integer)");
        if (manifest.Origin is not null)
            throw new SolsticeException(ErrorCode.NotSupported,
                $"image {uuid}: a zvol image with an origin is an incremental ZFS stream, which this node cannot apply");
        if (mib > Limits.MaxExpandedBytes / MiB)
            throw new SolsticeException(ErrorCode.QuotaExceeded,
                $"image {uuid}: image_size {mib} MiB is more than {Limits.MaxExpandedBytes} bytes (images.max_expanded_bytes in the node config)");
        return mib * MiB;
    }

    private void InstallDisk(ImageManifest manifest, Stream file, string directory, long capacity)
    {
        Guid uuid = manifest.Uuid;
        string compression = manifest.File.Compression;
        string disk = Path.Combine(directory, ZvolDiskFile);
        try
        {
            using var data = new ExpansionLimitStream(Decompression.Open(file, compression), Limits.MaxExpandedBytes,
                "images.max_expanded_bytes in the node config");
            byte[] buffer = new byte[CopyBuffer];
            int head = ReadFull(data, buffer);
            var first = buffer.AsSpan(0, head);
            if (IsZfsSendStream(first))
                throw new SolsticeException(ErrorCode.NotSupported,
                    $"image {uuid}: the image file is a ZFS send stream, which this node cannot read yet; convert it to raw or qcow2");
            if (first.StartsWith(s_qcowMagic))
            {
                string temp = Path.Combine(directory, QcowTemp);
                using (var qcow = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    long end = WriteSparse(qcow, data, buffer, head, long.MaxValue, uuid);
                    qcow.SetLength(end);
                }
                ConvertQcow2(uuid, temp, disk, capacity);
                File.Delete(temp);
                return;
            }
            using var output = CreateDisk(disk, capacity);
            WriteSparse(output, data, buffer, head, capacity, uuid);
            output.Flush(flushToDisk: true);
        }
        catch (ImageTooLargeException ex)
        {
            throw new SolsticeException(ErrorCode.QuotaExceeded, $"image {uuid}: refusing disk image: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: corrupt {compression} disk image: {ex.Message}", ex);
        }
        catch (SyscallException ex) when (ex.Errno is Errno.ENOSPC or Errno.EDQUOT)
        {
            throw new SolsticeException(ErrorCode.QuotaExceeded, $"image {uuid}: out of space writing {disk}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SyscallException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: writing {disk}: {ex.Message}", ex);
        }
    }

    /// <summary>An empty disk.raw marked NOCOW (btrfs takes the flag only while a file is empty), then sized.</summary>
    private static FileStream CreateDisk(string path, long capacity)
    {
        var output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite);
        InodeFlags.TrySetNoCow(output.SafeFileHandle);
        output.SetLength(capacity);
        return output;
    }

    /// <summary>
    /// Copies data (whose first <paramref name="filled"/> bytes are already in buffer) to output,
    /// seeking over all-zero 4 KiB blocks so they stay holes. Returns the bytes written; refuses
    /// data longer than limit.
    /// </summary>
    private static long WriteSparse(FileStream output, Stream data, byte[] buffer, int filled, long limit, Guid uuid)
    {
        long position = 0;
        while (filled > 0)
        {
            if (filled > limit - position)
                throw new SolsticeException(ErrorCode.QuotaExceeded,
                    $"image {uuid}: the disk image holds more than its image_size of {limit / MiB} MiB; refusing it");
            for (int offset = 0; offset < filled;)
            {
                int length = Math.Min(SparseBlock, filled - offset);
                var block = buffer.AsSpan(offset, length);
                if (block.IndexOfAnyExcept((byte)0) >= 0)
                {
                    // Extend the run over the following non-zero blocks: one write per run.
                    int run = length;
                    while (offset + run < filled)
                    {
                        int next = Math.Min(SparseBlock, filled - offset - run);
                        if (buffer.AsSpan(offset + run, next).IndexOfAnyExcept((byte)0) < 0)
                            break;
                        run += next;
                    }
                    output.Position = position + offset;
                    output.Write(buffer, offset, run);
                    length = run;
                }
                offset += length;
            }
            position += filled;
            filled = ReadFull(data, buffer);
        }
        return position;
    }

    private static int ReadFull(Stream data, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = data.Read(buffer, total, buffer.Length - total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// A ZFS send stream starts with a BEGIN record (drr_type 0) whose drr_magic, at offset 8, is
    /// 0x2F5bacbac in the sender's byte order.
    /// </summary>
    public static bool IsZfsSendStream(ReadOnlySpan<byte> head)
    {
        const ulong Magic = 0x2F5bacbac;
        if (head.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(head) != 0)
            return false;
        var magic = head.Slice(8, 8);
        return BinaryPrimitives.ReadUInt64LittleEndian(magic) == Magic || BinaryPrimitives.ReadUInt64BigEndian(magic) == Magic;
    }

    /// <summary>
    /// Converts a qcow2 disk into disk.raw (NOCOW, image_size bytes, holes where qcow2 has no data).
    /// A qcow2 naming a backing or data file would read a host file into the image: refused.
    /// </summary>
    private void ConvertQcow2(Guid uuid, string qcow, string disk, long capacity)
    {
        string timeout = ((int)s_convertTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var info = Commands.Run(["timeout", "-k", "10", timeout, "qemu-img", "info", "--output=json", "-f", "qcow2", qcow]);
        if (!info.Succeeded)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: not a readable qcow2 disk: {QemuError(info)}");
        long virtualSize;
        try
        {
            var json = JsonNode.Parse(info.StandardOutput) as JsonObject;
            virtualSize = json?["virtual-size"]?.GetValue<long>() ?? -1;
            if (json?["backing-filename"] is not null || json?["format-specific"]?["data"]?["data-file"] is not null)
                throw new SolsticeException(ErrorCode.InvalidArgument,
                    $"image {uuid}: the qcow2 disk refers to a backing or data file; only a self-contained qcow2 can be installed");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: cannot read qemu-img info's output: {ex.Message}", ex);
        }
        if (virtualSize <= 0 || virtualSize > capacity)
            throw new SolsticeException(ErrorCode.QuotaExceeded,
                $"image {uuid}: the qcow2 disk's virtual size is {virtualSize} bytes, more than its image_size of {capacity / MiB} MiB; refusing it");
        using (CreateDisk(disk, capacity))
        {
        }
        var convert = Commands.Run(["timeout", "-k", "10", timeout,
            "qemu-img", "convert", "-n", "--target-is-zero", "-f", "qcow2", "-O", "raw", qcow, disk]);
        if (convert.ExitCode == 124)
            throw new SolsticeException(ErrorCode.BackendFailed, $"image {uuid}: qemu-img convert took longer than {s_convertTimeout.TotalMinutes} minutes");
        if (!convert.Succeeded)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"image {uuid}: cannot convert the qcow2 disk: {QemuError(convert)}");
    }

    private static string QemuError(CommandResult result) =>
        result.StandardError.Trim() is { Length: > 0 } text ? text : $"qemu-img exited {result.ExitCode}";
}
