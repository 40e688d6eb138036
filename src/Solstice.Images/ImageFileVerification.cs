using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Solstice.Core;

namespace Solstice.Images;

/// <summary>
/// The image file as install reads it, checked against the manifest's SHA-1 on the way: each
/// block read is handed to a thread that hashes it (and writes it to a copy, when one is asked
/// for). The file is read once, the hash takes another core, and what is hashed is exactly what
/// was extracted. Complete reads whatever extraction left unread and throws on a mismatch.
/// </summary>
internal sealed class ImageFileVerification : ReadOnlyStream
{
    private const int BlockSize = 1 << 20;
    private const int BlockCount = 4;

    private readonly Stream _file;
    private readonly ImageManifest _manifest;
    private readonly string? _copyTo;
    private readonly BlockingCollection<Block> _free = new();
    private readonly BlockingCollection<Block> _queued = new();
    private readonly Thread _hasher;
    private ExceptionDispatchInfo? _hashFailure;
    private string? _sha1;
    private Block? _current;
    private int _offset;
    private bool _ended;

    /// <param name="copyTo">A file to write what is read to, or null.</param>
    public ImageFileVerification(Stream file, ImageManifest manifest, string? copyTo)
    {
        _file = file;
        _manifest = manifest;
        _copyTo = copyTo;
        for (int i = 0; i < BlockCount; i++)
            _free.Add(new Block());
        _hasher = new Thread(Hash) { IsBackground = true, Name = $"sha1 {manifest.Uuid}" };
        _hasher.Start();
    }

    /// <summary>Reads the rest of the file, waits for the hash and throws on a mismatch (or on a failed copy).</summary>
    public void Complete()
    {
        while (NextBlock())
        {
        }
        _hasher.Join();
        _hashFailure?.Throw();
        if (_sha1 != _manifest.File.Sha1)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"image {_manifest.Uuid}: sha1 mismatch: expected {_manifest.File.Sha1}, got {_sha1} ({(_file as FileStream)?.Name})");
    }

    public override int Read(Span<byte> buffer)
    {
        if ((_current is null || _offset == _current.Count) && !NextBlock())
            return 0;
        int count = Math.Min(buffer.Length, _current!.Count - _offset);
        _current.Data.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    /// <summary>Releases the block being read and reads the next one, waiting for the hasher to free one.</summary>
    private bool NextBlock()
    {
        if (_current is { } done)
            Release(done);
        _current = null;
        if (_ended)
            return false;
        var block = _free.Take();
        block.Count = _file.ReadAtLeast(block.Data, block.Data.Length, throwOnEndOfStream: false);
        if (block.Count == 0)
        {
            _ended = true;
            _queued.CompleteAdding();
            return false;
        }
        // Held by the reader until it moves on, and by the hasher until it has hashed it.
        block.Holders = 2;
        _queued.Add(block);
        _current = block;
        _offset = 0;
        return true;
    }

    private void Release(Block block)
    {
        if (Interlocked.Decrement(ref block.Holders) == 0)
            _free.Add(block);
    }

    private void Hash()
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        FileStream? copy = null;
        try
        {
            copy = _copyTo is null ? null : new FileStream(_copyTo, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _hashFailure = ExceptionDispatchInfo.Capture(ex);
        }
        // Every block is released even after a failure, so the reader never waits for a free one in vain.
        foreach (var block in _queued.GetConsumingEnumerable())
        {
            if (_hashFailure is null)
            {
                try
                {
                    sha1.AppendData(block.Data, 0, block.Count);
                    copy?.Write(block.Data, 0, block.Count);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _hashFailure = ExceptionDispatchInfo.Capture(ex);
                }
            }
            Release(block);
        }
        copy?.Dispose();
        _sha1 = Convert.ToHexStringLower(sha1.GetHashAndReset());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_ended)
            {
                _ended = true;
                _queued.CompleteAdding();
            }
            _hasher.Join();
            _free.Dispose();
            _queued.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class Block
    {
        public byte[] Data { get; } = new byte[BlockSize];

        public int Count;

        public int Holders;
    }
}
