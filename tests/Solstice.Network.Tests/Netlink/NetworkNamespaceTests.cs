using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Netlink;

/// <summary>NetworkNamespace: work runs in the namespace asked for, on threads of its own, and the caller never moves.</summary>
[Trait("Category", "Privileged")]
public sealed class NetworkNamespaceTests
{
    private static string Own() => File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.FullName;

    private static string Of(string path)
    {
        string inode = new FileInfo(path).Exists ? Stat(path) : "";
        return $"net:[{inode}]";
    }

    private static string Stat(string path) => ProcessCommandRunner.Instance.Run(["stat", "-L", "-c", "%i", path]).StandardOutput.Trim();

    [PrivilegedFact]
    public void Each_item_runs_inside_its_namespace_and_the_caller_stays_home()
    {
        using var scratch = new ScratchNetns();
        var paths = Enumerable.Range(0, 6).Select(i => scratch.Create($"z{i}")).ToList();
        string home = Own();
        var seen = new string[paths.Count];
        var threads = new int[paths.Count];
        var errors = NetworkNamespace.RunEach(paths, i =>
        {
            seen[i] = Own();
            threads[i] = Environment.CurrentManagedThreadId;
        }, threads: 2);

        Assert.All(errors, Assert.Null);
        for (int i = 0; i < paths.Count; i++)
            Assert.EndsWith(Of(paths[i]), seen[i], StringComparison.Ordinal);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        Assert.InRange(threads.Distinct().Count(), 1, 2);
        Assert.Equal(home, Own());
        Assert.Equal(home, NetworkNamespace.Run(paths[0], () => Task.Run(Own).GetAwaiter().GetResult()));
    }

    [PrivilegedFact]
    public void A_namespace_that_cannot_be_entered_fails_only_its_item_and_exceptions_reach_the_caller()
    {
        using var scratch = new ScratchNetns();
        string good = scratch.Create("good");
        string notNamespace = Path.GetTempFileName();
        try
        {
            var errors = NetworkNamespace.RunEach([notNamespace, good, "/nonexistent/netns"], _ => { }, threads: 2);
            Assert.Equal(Errno.EINVAL, Assert.IsType<SyscallException>(errors[0]).Errno);
            Assert.Null(errors[1]);
            Assert.Equal(Errno.ENOENT, Assert.IsType<SyscallException>(errors[2]).Errno);
            var thrown = Assert.Throws<InvalidOperationException>(() => NetworkNamespace.Run<int>(good, () => throw new InvalidOperationException("inside")));
            Assert.Equal("inside", thrown.Message);
        }
        finally
        {
            File.Delete(notNamespace);
        }
    }

    [PrivilegedFact]
    public void Only_a_bound_namespace_counts_as_one()
    {
        using var scratch = new ScratchNetns();
        string bound = scratch.Create("bound");
        string plain = Path.GetTempFileName();
        try
        {
            Assert.True(NetworkNamespace.IsBound(bound));
            Assert.False(NetworkNamespace.IsBound(plain));
            Assert.False(NetworkNamespace.IsBound(plain + ".missing"));
        }
        finally
        {
            File.Delete(plain);
        }
    }
}
