namespace Solstice.Storage;

/// <summary>
/// Host-side modes of what holds tenant data. Every dataset's top directory is 0700 (a zonepath
/// is 0700 on SmartOS too), as are the pool's own .snapshots and .solstice trees, so no host user
/// but root can reach a zone root, an image root or a snapshot of either. What is inside a
/// dataset (a zone's root/ and its files) keeps the modes its tenant or image gave it.
/// </summary>
public static class DatasetModes
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Sets 0700 on a dataset's (or pool directory's) top directory unless it is already so.</summary>
    public static void Confine(string path)
    {
        if (File.GetUnixFileMode(path) != Private)
            File.SetUnixFileMode(path, Private);
    }
}
