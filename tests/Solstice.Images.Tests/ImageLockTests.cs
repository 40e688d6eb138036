using Solstice.Linux;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Images.Tests;

/// <summary>The per-uuid image locks: exclusive, and their files gone once released.</summary>
public sealed class ImageLockTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-locks");
    private readonly ImageStore _store;

    public ImageLockTests()
    {
        var pool = new PoolManager(ProcessCommandRunner.Instance).Import(
            new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") });
        _store = new ImageStore(pool);
    }

    public void Dispose() => _dir.Dispose();

    private string LocksDirectory => Path.Combine(_store.IndexDirectory, ".locks");

    [Fact]
    public void Released_image_locks_leave_no_lock_file_behind()
    {
        for (int i = 0; i < 50; i++)
        {
            using var held = _store.Lock(Guid.NewGuid());
            Assert.True(File.Exists(held.Path));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(LocksDirectory));
    }

    [Fact]
    public void A_held_lock_excludes_others_and_its_file_stays_until_released()
    {
        var uuid = Guid.NewGuid();
        using (var held = _store.Lock(uuid))
        {
            Assert.Null(FileLock.TryAcquire(held.Path, removeOnRelease: true));
            Assert.True(File.Exists(held.Path));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(LocksDirectory));
    }

    /// <summary>
    /// Many threads take and release one uuid's lock as fast as they can, so a taker often opens
    /// the file just before the holder unlinks it. Without the check that the locked file is still
    /// the one at the path, such a taker would hold a lock on an orphan while another locks the
    /// new file: two holders at once.
    /// </summary>
    [Fact]
    public void Removing_lock_files_on_release_never_lets_two_holders_in_at_once()
    {
        var uuid = Guid.NewGuid();
        int inside = 0;
        int overlaps = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using var held = _store.Lock(uuid);
                if (Interlocked.Increment(ref inside) != 1)
                    Interlocked.Increment(ref overlaps);
                Thread.SpinWait(50);
                Interlocked.Decrement(ref inside);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, overlaps);
        Assert.Empty(Directory.EnumerateFileSystemEntries(LocksDirectory));
    }

    [Fact]
    public void Cleaning_removes_lock_files_nobody_holds_and_keeps_held_ones()
    {
        Directory.CreateDirectory(LocksDirectory);
        string[] leftovers = [.. Enumerable.Range(0, 5).Select(_ => Path.Combine(LocksDirectory, Guid.NewGuid() + ".lock"))];
        foreach (string leftover in leftovers)
            File.WriteAllBytes(leftover, []);
        var uuid = Guid.NewGuid();
        using var held = _store.Lock(uuid);

        _store.CleanStaleFiles();

        Assert.Equal([Path.GetFileName(held.Path)], Directory.EnumerateFiles(LocksDirectory).Select(Path.GetFileName));
    }
}
