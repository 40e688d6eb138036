using Solstice.Linux.Interop;
using Solstice.Network.Firewall.Nft;
using Solstice.TestKit;

namespace Solstice.Network.Tests.Netlink;

/// <summary>libnftables in-process, loading into private namespaces in parallel; nft (the tool) reads back what it loaded.</summary>
[Trait("Category", "Privileged")]
public sealed class LibNftablesLoaderTests
{
    private const string Table = "table inet t_loader {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 7 drop\n\t}\n}\n";

    [PrivilegedFact]
    public void Loads_one_table_per_namespace_in_parallel_and_reports_nfts_errors()
    {
        using var scratch = new ScratchNetns();
        var paths = Enumerable.Range(0, 12).Select(i => scratch.Create($"z{i}")).ToList();
        var loader = new LibNftablesLoader(threads: 2);
        var outcomes = loader.RunEach(paths.Select((p, i) => new NftJob(p, () => Table.Replace("dport 7", $"dport {7 + i}", StringComparison.Ordinal))).ToList());

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
        for (int i = 0; i < paths.Count; i++)
        {
            string listed = ScratchNetns.In(paths[i], "nft", "list", "ruleset").StandardOutput;
            Assert.Contains($"tcp dport {7 + i} drop", listed, StringComparison.Ordinal);
        }
        var listing = loader.Run(paths[0], "list chain inet t_loader input");
        Assert.True(listing.Succeeded);
        Assert.Contains("tcp dport 7 drop", listing.Output, StringComparison.Ordinal);

        var bad = loader.Run(paths[0], "table inet t_loader { chain input { tcp dport nonsense drop } }\n");
        Assert.False(bad.Succeeded);
        Assert.Contains("Error:", bad.Error, StringComparison.Ordinal);
        Assert.False(loader.Run(paths[1], "list chain inet t_missing input").Succeeded);
        Assert.Equal("", ScratchNetns.In(paths[0], "nft", "list", "tables").StandardOutput.Replace("table inet t_loader", "", StringComparison.Ordinal).Trim());
    }

    [PrivilegedFact]
    public void A_failing_script_is_rethrown_after_every_job_ran_and_a_missing_namespace_is_a_failed_outcome()
    {
        using var scratch = new ScratchNetns();
        string a = scratch.Create("a"), b = scratch.Create("b");
        var loader = new LibNftablesLoader();
        Assert.Throws<FormatException>(() => loader.RunEach(
            [new NftJob(a, () => throw new FormatException("compile")), new NftJob(b, () => Table)]));
        Assert.Contains("t_loader", ScratchNetns.In(b, "nft", "list", "tables").StandardOutput, StringComparison.Ordinal);

        var outcomes = loader.RunEach([new NftJob("/nonexistent/netns", () => Table), new NftJob(a, () => Table)]);
        Assert.False(outcomes[0].Succeeded);
        Assert.Contains("/nonexistent/netns", outcomes[0].Error, StringComparison.Ordinal);
        Assert.True(outcomes[1].Succeeded, outcomes[1].Error);
    }

    [PrivilegedFact]
    public void A_session_runs_many_scripts_and_sees_changes_others_made_in_between()
    {
        using var scratch = new ScratchNetns();
        string node = scratch.Create("node");
        using (var session = LibNftablesLoader.Instance.OpenSession(node))
        {
            Assert.True(session.Run(Table).Succeeded);
            Assert.True(ScratchNetns.In(node, "nft", "add", "chain", "inet", "t_loader", "other").Succeeded);
            var added = session.Run("add rule inet t_loader other tcp dport 9 drop\n");
            Assert.True(added.Succeeded, added.Error);
            Assert.True(ScratchNetns.In(node, "nft", "delete", "table", "inet", "t_loader").Succeeded);
            Assert.False(session.Run("add rule inet t_loader other tcp dport 10 drop\n").Succeeded);
            Assert.True(session.Run(Table).Succeeded);
        }
        Assert.Contains("tcp dport 7 drop", ScratchNetns.In(node, "nft", "list", "ruleset").StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// libnftables select()s on its netlink socket, and glibc aborts the whole process when that
    /// socket's number is 1024 or more: with 1100 descriptors open here, loading a table, a
    /// RunEach and a session must all still work (before the nftables threads had a descriptor
    /// table of their own, the first of them killed the test host).
    /// </summary>
    [PrivilegedFact]
    public void Loads_while_the_process_holds_more_than_FD_SETSIZE_descriptors()
    {
        ulong limit = Math.Max(Rlimits.Hard(Rlimits.NoFile), 8192);
        Assert.True(Rlimits.TrySet(Rlimits.NoFile, limit, limit), "raise RLIMIT_NOFILE");
        using var scratch = new ScratchNetns();
        string a = scratch.Create("a"), b = scratch.Create("b");
        var held = new List<int>();
        try
        {
            for (int i = 0; i < 1100; i++)
            {
                int fd = Libc.Open("/dev/null", Libc.ORdOnly | Libc.OCloexec, 0);
                Assert.True(fd >= 0, "open /dev/null");
                held.Add(fd);
            }
            Assert.True(held[^1] >= 1024, $"the last descriptor is {held[^1]}");

            var loader = new LibNftablesLoader();
            var loaded = loader.Run(a, Table);
            Assert.True(loaded.Succeeded, loaded.Error);
            var outcomes = loader.RunEach([new NftJob(a, () => Table), new NftJob(b, () => Table)]);
            Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
            using (var session = loader.OpenSession(b))
                Assert.Contains("tcp dport 7 drop", session.Run("list chain inet t_loader input").Output, StringComparison.Ordinal);
            Assert.Contains("tcp dport 7 drop", ScratchNetns.In(a, "nft", "list", "ruleset").StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            foreach (int fd in held)
                Libc.Close(fd);
        }
    }
}
