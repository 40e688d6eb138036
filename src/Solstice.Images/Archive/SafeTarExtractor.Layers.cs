using Solstice.Linux.Interop;

namespace Solstice.Images.Archive;

/// <summary>Whiteouts, removal of lower layers' trees, and the cached parent directory.</summary>
public sealed partial class SafeTarExtractor
{
    /// <summary>The entry's parent directory, reusing the last one opened when it is the same.</summary>
    private OwnedFd OpenParent(string entry, string[] path)
    {
        if (path.Length == 1)
            return new OwnedFd(-1, _rootFd);
        string key = string.Join('/', path, 0, path.Length - 1);
        if (key == _cachedPath)
            return new OwnedFd(-1, _cachedFd);
        var opened = OpenDirectory(entry, path.AsSpan(0, path.Length - 1), create: true);
        ForgetCachedParent();
        _cachedPath = key;
        _cachedFd = opened.Fd;
        return new OwnedFd(-1, _cachedFd);
    }

    /// <summary>Called before anything is removed: the cached fd could name a directory about to go.</summary>
    private void ForgetCachedParent()
    {
        if (_cachedFd >= 0)
            Libc.Close(_cachedFd);
        _cachedFd = -1;
        _cachedPath = null;
    }

    private void Whiteout(string entry, string[] path)
    {
        ForgetCachedParent();
        string leaf = path[^1];
        string directory = string.Join('/', path, 0, path.Length - 1);
        using var parent = OpenDirectory(entry, path.AsSpan(0, path.Length - 1), create: false, mayBeMissing: true);
        if (parent.Fd < 0)
            return;
        if (leaf == OpaqueWhiteout)
        {
            foreach (string child in Children(parent.Fd))
            {
                if (!WrittenAtOrBelow(Join(directory, child)))
                    RemoveAny(entry, parent.Fd, child);
            }
            return;
        }
        string target = leaf[WhiteoutPrefix.Length..];
        if (target.Length == 0 || target is "." or ".." || target.Contains('/'))
            throw new ImageArchiveException(entry, "malformed whiteout");
        if (!WrittenAtOrBelow(Join(directory, target)))
            RemoveAny(entry, parent.Fd, target);
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : $"{directory}/{name}";

    private bool WrittenAtOrBelow(string path)
    {
        if (_written.Contains(path))
            return true;
        string prefix = path + "/";
        return _written.Any(w => w.StartsWith(prefix, StringComparison.Ordinal));
    }

    private void RemoveAny(string entry, int parentFd, string name)
    {
        uint? mode = PathAt.ModeOf(parentFd, name);
        if (mode is null)
            return;
        if ((mode & PathAt.SIfMt) == PathAt.SIfDir)
            RemoveTree(entry, parentFd, name);
        else
            Check(PathAt.UnlinkAt(parentFd, name, 0), "unlink", entry);
    }

    /// <summary>Removes a directory tree through fds with O_NOFOLLOW, never following a symlink out of it.</summary>
    private void RemoveTree(string entry, int parentFd, string name)
    {
        ForgetCachedParent();
        int fd = Libc.OpenAt(parentFd, name, DirectoryFlags, 0);
        Check(fd, "open", entry);
        try
        {
            foreach (string child in Children(fd))
                RemoveAny(entry, fd, child);
        }
        finally
        {
            Libc.Close(fd);
        }
        Check(PathAt.UnlinkAt(parentFd, name, PathAt.AtRemoveDir), "rmdir", entry);
    }

    /// <summary>Names in the directory open as fd, read through /proc so no path is resolved again.</summary>
    private static List<string> Children(int fd) =>
        Directory.EnumerateFileSystemEntries($"/proc/self/fd/{fd}").Select(p => Path.GetFileName(p)).ToList();
}
