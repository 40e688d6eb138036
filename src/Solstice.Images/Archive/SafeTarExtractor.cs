using System.Formats.Tar;
using System.Runtime.InteropServices;
using Solstice.Linux.Interop;

namespace Solstice.Images.Archive;

/// <summary>
/// Extracts an untrusted tar stream into a root directory. Every path is walked from an fd on the
/// root one component at a time with O_NOFOLLOW, so a symlink planted by an earlier entry can never
/// redirect a later one outside the root; new files are created with O_CREAT|O_EXCL, which refuses
/// to open through a final symlink. Refused: absolute names, ".." components, hard links to anything
/// outside the archive's tree, relative symlinks that climb above the root, and device nodes.
/// Absolute symlinks are kept: they resolve inside the zone root when the zone uses them.
/// Mode (with setuid/setgid/sticky), numeric uid/gid and mtime are preserved.
/// A layer (an image applied over a clone of its origin, as docker layers are) additionally honours
/// whiteouts: ".wh.NAME" removes NAME of lower layers, ".wh..wh..opq" empties its directory of lower
/// layers' entries, and an entry may replace a directory of a lower layer; device nodes are skipped.
/// </summary>
public sealed partial class SafeTarExtractor : IDisposable
{
    private const int DirectoryFlags = Libc.ORdOnly | Libc.ODirectory | Libc.ONoFollow | Libc.OCloexec;
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueWhiteout = ".wh..wh..opq";
    private readonly int _rootFd;
    private readonly bool _preserveOwnership;
    private readonly bool _layer;
    private readonly Dictionary<string, TarEntryMetadata> _directories = new(StringComparer.Ordinal);
    // Paths this archive wrote: a whiteout only hides what lower layers had.
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    // The last parent directory opened, reused while entries stay in one directory.
    private string? _cachedPath;
    private int _cachedFd = -1;

    private SafeTarExtractor(string root, bool preserveOwnership, bool layer)
    {
        _rootFd = Libc.Open(root, DirectoryFlags, 0);
        if (_rootFd < 0)
            throw SyscallException.Last($"open {root}");
        _preserveOwnership = preserveOwnership;
        _layer = layer;
        _creatorOwner = CreatorOwner(_rootFd, layer);
    }

    private int _entries;
    private long _seen;

    /// <summary>
    /// Extracts archive into root and returns the number of entries written, an existing directory. preserveOwnership applies the entries'
    /// uid/gid (only root may). Throws ImageArchiveException for a refused entry, InvalidDataException
    /// or EndOfStreamException for a corrupt or truncated archive, IOException for a host failure;
    /// on any failure the root holds a partial tree, which the caller removes.
    /// Throws ImageTooLargeException at the first entry past <paramref name="limits"/>' count.
    /// </summary>
    public static int Extract(Stream archive, string root, bool preserveOwnership, bool layer = false, ExtractionLimits? limits = null)
    {
        limits ??= ExtractionLimits.None;
        using var extractor = new SafeTarExtractor(root, preserveOwnership, layer);
        using var reader = new TarReader(archive, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            if (++extractor._seen > limits.MaxEntries)
                throw new ImageTooLargeException($"it holds more than {limits.MaxEntries} entries ({limits.MaxEntriesSource})");
            extractor.Apply(entry);
        }
        extractor.FinishDirectories();
        return extractor._entries;
    }

    public void Dispose()
    {
        ForgetCachedParent();
        Libc.Close(_rootFd);
    }

    private void Apply(TarEntry entry)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.GlobalExtendedAttributes:
                return;
            case TarEntryType.CharacterDevice:
            case TarEntryType.BlockDevice:
                if (_layer)
                    return;
                throw new ImageArchiveException(entry.Name, "device nodes are not allowed in images");
        }
        string[] path = Components(entry.Name, entry.Name);
        _entries++;
        if (_layer && path.Length > 0 && path[^1].StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            Whiteout(entry.Name, path);
            return;
        }
        if (_layer)
            _written.Add(string.Join('/', path));
        if (entry.EntryType == TarEntryType.Directory)
        {
            string joined = string.Join('/', path);
            if (path.Length > 0)
            {
                using var parent = OpenDirectory(entry.Name, path[..^1], create: true);
                MakeDirectory(entry.Name, parent.Fd, path[^1]);
            }
            _directories[joined] = TarEntryMetadata.Of(entry, path);
            return;
        }
        if (path.Length == 0)
            throw new ImageArchiveException(entry.Name, "only a directory may name the root");
        using (var parent = OpenParent(entry.Name, path))
        {
            string leaf = path[^1];
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile:
                case TarEntryType.V7RegularFile:
                case TarEntryType.ContiguousFile:
                    WriteFile(entry, parent.Fd, leaf);
                    break;
                case TarEntryType.SymbolicLink:
                    CheckSymlinkTarget(entry, path);
                    if (PathAt.SymlinkAt(entry.LinkName, parent.Fd, leaf) < 0)
                    {
                        if (Marshal.GetLastPInvokeError() != Errno.EEXIST)
                            Check(-1, "symlink", entry.Name);
                        RemoveExisting(entry.Name, parent.Fd, leaf);
                        Check(PathAt.SymlinkAt(entry.LinkName, parent.Fd, leaf), "symlink", entry.Name);
                    }
                    if (_preserveOwnership)
                        Check(PathAt.FchownAt(parent.Fd, leaf, (uint)entry.Uid, (uint)entry.Gid, PathAt.AtSymlinkNoFollow), "chown", entry.Name);
                    Check(PathAt.SetTimesNoFollow(parent.Fd, leaf, entry.ModificationTime), "set times of", entry.Name);
                    break;
                case TarEntryType.HardLink:
                    Link(entry, path, parent.Fd, leaf);
                    break;
                case TarEntryType.Fifo:
                    RemoveExisting(entry.Name, parent.Fd, leaf);
                    Check(PathAt.MkfifoAt(parent.Fd, leaf, 0600), "mkfifo", entry.Name);
                    if (_preserveOwnership)
                        Check(PathAt.FchownAt(parent.Fd, leaf, (uint)entry.Uid, (uint)entry.Gid, PathAt.AtSymlinkNoFollow), "chown", entry.Name);
                    // fchmodat cannot refuse to follow a symlink, but the fifo was just created by us.
                    Check(PathAt.FchmodAt(parent.Fd, leaf, (uint)entry.Mode, 0), "chmod", entry.Name);
                    Check(PathAt.SetTimesNoFollow(parent.Fd, leaf, entry.ModificationTime), "set times of", entry.Name);
                    break;
                default:
                    throw new ImageArchiveException(entry.Name, $"unsupported entry type {entry.EntryType}");
            }
        }
    }

    /// <summary>The name's components with "." and empty ones dropped; refuses absolute names and "..".</summary>
    private static string[] Components(string name, string entry, string what = "path")
    {
        if (name.Contains('\0'))
            throw new ImageArchiveException(entry, $"{what} contains a NUL byte");
        if (name.StartsWith('/'))
            throw new ImageArchiveException(entry, $"absolute {what} '{name}' is not allowed");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
            throw new ImageArchiveException(entry, $"{what} '{name}' has a '..' component");
        return parts;
    }

    private void WriteFile(TarEntry entry, int parentFd, string leaf)
    {
        const int flags = PathAt.OWrOnly | PathAt.OCreat | PathAt.OExcl | Libc.ONoFollow | Libc.OCloexec;
        // Create first and clear the way only when something is there: one syscall less per file.
        int mode = (int)CreationMode(entry);
        int fd = Libc.OpenAt(parentFd, leaf, flags, mode);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Errno.EEXIST)
        {
            RemoveExisting(entry.Name, parentFd, leaf);
            fd = Libc.OpenAt(parentFd, leaf, flags, mode);
        }
        Check(fd, "create", entry.Name);
        try
        {
            if (entry.DataStream is { } data)
                Copy(data, fd, entry.Name);
            if (_preserveOwnership && !CreatedWithOwner(entry))
                Check(PathAt.Fchown(fd, (uint)entry.Uid, (uint)entry.Gid), "chown", entry.Name);
            // After chown: chown clears setuid/setgid, so the mode goes second.
            if (!CreatedWithMode(entry))
                Check(PathAt.Fchmod(fd, (uint)entry.Mode), "chmod", entry.Name);
            Check(PathAt.SetTimes(fd, entry.ModificationTime), "set times of", entry.Name);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private readonly byte[] _buffer = new byte[1 << 17];

    private unsafe void Copy(Stream data, int fd, string entry)
    {
        int read;
        while ((read = data.Read(_buffer)) > 0)
        {
            fixed (byte* start = _buffer)
            {
                for (int done = 0; done < read;)
                {
                    nint written = Libc.Write(fd, start + done, (nuint)(read - done));
                    if (written < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == 4)
                            continue; // EINTR
                        throw SyscallException.Last($"write '{entry}'");
                    }
                    done += (int)written;
                }
            }
        }
    }

    private void Link(TarEntry entry, string[] path, int parentFd, string leaf)
    {
        string[] target = Components(entry.LinkName, entry.Name, "hard link target");
        if (target.Length == 0)
            throw new ImageArchiveException(entry.Name, "hard link to the root directory");
        if (target.SequenceEqual(path))
            return;
        using var targetParent = OpenDirectory(entry.Name, target[..^1], create: false);
        uint? mode = PathAt.ModeOf(targetParent.Fd, target[^1]);
        if (mode is null)
            throw new ImageArchiveException(entry.Name, $"hard link target '{entry.LinkName}' does not exist in the image");
        if ((mode & PathAt.SIfMt) == PathAt.SIfDir)
            throw new ImageArchiveException(entry.Name, $"hard link target '{entry.LinkName}' is a directory");
        RemoveExisting(entry.Name, parentFd, leaf);
        // Flags 0: when the target is a symlink, link the symlink itself, never what it points at.
        Check(PathAt.LinkAt(targetParent.Fd, target[^1], parentFd, leaf, 0), "link", entry.Name);
    }

    private static void CheckSymlinkTarget(TarEntry entry, string[] path)
    {
        string target = entry.LinkName;
        if (target.Length == 0)
            throw new ImageArchiveException(entry.Name, "symlink with an empty target");
        if (target.Contains('\0'))
            throw new ImageArchiveException(entry.Name, "symlink target contains a NUL byte");
        if (target.StartsWith('/'))
            return;
        int depth = path.Length - 1;
        foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
                depth--;
            else if (part != ".")
                depth++;
            if (depth < 0)
                throw new ImageArchiveException(entry.Name, $"symlink target '{target}' points outside the image root");
        }
    }

    /// <summary>Opens root/components as a directory, refusing any component that is a symlink.</summary>
    private OwnedFd OpenDirectory(string entry, ReadOnlySpan<string> components, bool create, bool mayBeMissing = false)
    {
        var current = new OwnedFd(-1);
        int fd = _rootFd;
        for (int i = 0; i < components.Length; i++)
        {
            string name = components[i];
            int next = Libc.OpenAt(fd, name, DirectoryFlags, 0);
            if (next < 0 && Marshal.GetLastPInvokeError() == Errno.ENOENT && create)
            {
                if (PathAt.MkdirAt(fd, name, 0755) < 0 && Marshal.GetLastPInvokeError() != Errno.EEXIST)
                {
                    current.Dispose();
                    throw SyscallException.Last($"mkdir '{string.Join('/', components[..(i + 1)])}' for '{entry}'");
                }
                next = Libc.OpenAt(fd, name, DirectoryFlags, 0);
            }
            if (next < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                string prefix = string.Join('/', components[..(i + 1)]);
                uint? mode = errno is Errno.ENOTDIR or PathAt.ELOOP ? PathAt.ModeOf(fd, name) : null;
                current.Dispose();
                if ((mode & PathAt.SIfMt) == PathAt.SIfLnk)
                    throw new ImageArchiveException(entry, $"path component '{prefix}' is a symlink");
                if (mode is not null)
                    throw new ImageArchiveException(entry, $"path component '{prefix}' is not a directory");
                if (errno == Errno.ENOENT && mayBeMissing)
                    return new OwnedFd(-1);
                if (errno == Errno.ENOENT)
                    throw new ImageArchiveException(entry, $"directory '{prefix}' does not exist in the image");
                throw new SyscallException($"open '{prefix}' for '{entry}'", errno);
            }
            current.Dispose();
            current = new OwnedFd(next);
            fd = next;
        }
        return components.Length == 0 ? new OwnedFd(-1, _rootFd) : current;
    }

    private void MakeDirectory(string entry, int parentFd, string leaf)
    {
        if (PathAt.MkdirAt(parentFd, leaf, 0700) == 0)
            return;
        if (Marshal.GetLastPInvokeError() != Errno.EEXIST)
            throw SyscallException.Last($"mkdir '{entry}'");
        if ((PathAt.ModeOf(parentFd, leaf) & PathAt.SIfMt) == PathAt.SIfDir)
            return;
        RemoveExisting(entry, parentFd, leaf);
        Check(PathAt.MkdirAt(parentFd, leaf, 0700), "mkdir", entry);
    }

    /// <summary>
    /// Unlinks a non-directory at leaf (a symlink is removed, not followed). A directory is replaced
    /// only in a layer, and only one that a lower layer made.
    /// </summary>
    private void RemoveExisting(string entry, int parentFd, string leaf)
    {
        uint? mode = PathAt.ModeOf(parentFd, leaf);
        if (mode is null)
            return;
        if ((mode & PathAt.SIfMt) == PathAt.SIfDir)
        {
            if (!_layer || _directories.Keys.Any(d => IsSameOrBelow(d, Components(entry, entry))))
                throw new ImageArchiveException(entry, "would replace a directory");
            RemoveTree(entry, parentFd, leaf);
            return;
        }
        Check(PathAt.UnlinkAt(parentFd, leaf, 0), "unlink", entry);
    }

    private static bool IsSameOrBelow(string directory, string[] path)
    {
        string joined = string.Join('/', path);
        return directory == joined || directory.StartsWith(joined + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Directory modes, owners and mtimes go last, deepest first: creating entries inside a directory
    /// changes its mtime, and a read-only mode would stop the entries from being created at all.
    /// </summary>
    private void FinishDirectories()
    {
        foreach (var dir in _directories.Values.OrderByDescending(d => d.Path.Length))
        {
            string name = dir.Path.Length == 0 ? "." : string.Join('/', dir.Path);
            using var fd = dir.Path.Length == 0 ? new OwnedFd(-1, _rootFd) : OpenDirectory(name, dir.Path, create: false);
            if (_preserveOwnership)
                Check(PathAt.Fchown(fd.Fd, (uint)dir.Uid, (uint)dir.Gid), "chown", name);
            Check(PathAt.Fchmod(fd.Fd, (uint)dir.Mode), "chmod", name);
            Check(PathAt.SetTimes(fd.Fd, dir.ModificationTime), "set times of", name);
        }
    }

    private static void Check(int result, string operation, string entry)
    {
        if (result < 0)
            throw SyscallException.Last($"{operation} '{entry}'");
    }

    private sealed record TarEntryMetadata(string[] Path, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime)
    {
        public static TarEntryMetadata Of(TarEntry entry, string[] path) => new(path, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime);
    }

    /// <summary>An fd closed on dispose, or a borrowed one (owned = -1) that is not.</summary>
    private readonly struct OwnedFd(int owned, int borrowed = -1) : IDisposable
    {
        public int Fd => owned >= 0 ? owned : borrowed;

        public void Dispose()
        {
            if (owned >= 0)
                Libc.Close(owned);
        }
    }
}
