using Solstice.Linux;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Netlink;

/// <summary>Private network namespaces bound on files under a temp directory; all unmounted (and so freed) on dispose.</summary>
internal sealed class ScratchNetns : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-netns");
    private readonly List<string> _paths = [];

    public string Create(string name)
    {
        string path = _dir.Combine(name);
        File.WriteAllBytes(path, []);
        _paths.Add(path);
        NetworkNamespace.Create(path);
        return path;
    }

    public static CommandResult In(string netns, params string[] argv) =>
        ProcessCommandRunner.Instance.Run(["nsenter", "--net=" + netns, .. argv]);

    public void Dispose()
    {
        foreach (string path in _paths)
            Solstice.Linux.Interop.Libc.Umount2(path, 2);
        _dir.Dispose();
    }
}
