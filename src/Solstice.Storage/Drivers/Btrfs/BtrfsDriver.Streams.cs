using System.Buffers.Binary;
using Solstice.Linux;
using BtrfsIoctl = Solstice.Linux.Interop.Btrfs;

namespace Solstice.Storage.Drivers.Btrfs;

public sealed partial class BtrfsDriver
{
    // A send stream opens with "btrfs-stream\0", a le32 version, then the first command header
    // (le32 length, le16 command, le32 crc). Command 1 (SUBVOL) starts a full stream, 2 (SNAPSHOT)
    // an incremental one: enough to tell them apart before anything is written.
    private const int StreamPeekLength = 13 + 4 + 4 + 2;
    private static readonly byte[] s_streamMagic = "btrfs-stream\0"u8.ToArray();

    public void Send(string dataset, string snapshot, string? parentSnapshot, Stream output)
    {
        var argv = new List<string> { "btrfs", "send", "-q" };
        if (parentSnapshot is not null)
            argv.AddRange(["-p", SnapshotPath(dataset, parentSnapshot)]);
        argv.Add(SnapshotPath(dataset, snapshot));
        var result = _runner.RunToStream(argv, output);
        if (!result.Succeeded)
            throw new IOException($"btrfs send failed: {result.StandardError.Trim()}");
    }

    public string Receive(string dataset, Stream input)
    {
        byte[] head = new byte[StreamPeekLength];
        int read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read < head.Length || !head.AsSpan(0, s_streamMagic.Length).SequenceEqual(s_streamMagic))
            throw new InvalidDataException("input is not a btrfs send stream");
        bool incremental = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(21)) == 2;
        bool exists = Exists(dataset);
        if (incremental && !exists)
            throw new InvalidDataException("incremental stream but the destination does not exist");
        if (!incremental && exists)
            throw new StreamTargetExistsException();

        using var revert = new Reverter();
        string staging = NewWorkPath("recv");
        Directory.CreateDirectory(staging);
        revert.Add("remove staging", () => RemoveStaging(staging));
        var stream = new PrefixedStream(head, input);
        var result = _runner.RunFromStream(["btrfs", "receive", "-q", staging], stream);
        if (!result.Succeeded)
            throw new IOException(result.StandardError.Trim());
        string received = Directory.GetDirectories(staging).Single();
        string leaf = Path.GetFileName(received);
        string snapshot = leaf.Contains('@') ? leaf[(leaf.LastIndexOf('@') + 1)..] : leaf;
        string target = SnapshotPath(dataset, snapshot);
        if (Directory.Exists(target))
            throw new StreamTargetExistsException(snapshot);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // A read-only subvolume can't be renamed (EROFS), so it is made writable for the move.
        // The ioctl, unlike `btrfs property set ro false`, keeps received_uuid, which later
        // incremental receives need to find their parent.
        BtrfsIoctl.SetReadOnly(received, false);
        Directory.Move(received, target);
        BtrfsIoctl.SetReadOnly(target, true);
        revert.Add("remove received snapshot", () => DestroySnapshot(dataset, snapshot));
        if (incremental)
            ReplaceWith(dataset, target);
        else
            Clone(dataset, snapshot, dataset);
        RemoveStaging(staging);
        revert.Success();
        return snapshot;
    }

    private static void RemoveStaging(string staging)
    {
        if (!Directory.Exists(staging))
            return;
        foreach (string sub in Directory.GetDirectories(staging))
            BtrfsIoctl.DestroySubvolume(staging, Path.GetFileName(sub));
        Directory.Delete(staging, recursive: true);
    }
}

/// <summary>The destination of a full stream already exists (zfs: "destination exists").</summary>
public sealed class StreamTargetExistsException(string? snapshot = null)
    : IOException(snapshot is null ? "destination exists" : $"destination snapshot '{snapshot}' exists")
{
    public string? Snapshot { get; } = snapshot;
}
