using System.Runtime.ExceptionServices;
using Solstice.Linux;

namespace Solstice.Network.Firewall.Nft;

/// <summary>
/// Loads scripts with libnftables inside the daemon, on its nftables threads (which have a
/// descriptor table of their own, see docs/design.md): in the caller's namespace, or in a zone's
/// joined for the script. RunEach spreads namespaces over up to threads of those threads.
/// </summary>
public sealed class LibNftablesLoader(int threads = 2) : INftLoader
{
    public static LibNftablesLoader Instance { get; } = new();

    public NftOutcome Run(string? netnsPath, string script) =>
        netnsPath is null ? Nftables.Run(script) : Nftables.Run(netnsPath, script);

    public IReadOnlyList<NftOutcome> RunEach(IReadOnlyList<NftJob> jobs)
    {
        var outcomes = new NftOutcome[jobs.Count];
        var scriptErrors = new Exception?[jobs.Count];
        var entered = Nftables.RunEach(jobs.Select(j => j.NetnsPath).ToList(), i =>
        {
            string script;
            try
            {
                script = jobs[i].Script();
            }
            catch (Exception ex)
            {
                scriptErrors[i] = ex;
                return;
            }
            outcomes[i] = Nftables.Run(script);
        }, threads);
        if (scriptErrors.FirstOrDefault(e => e is not null) is { } first)
            ExceptionDispatchInfo.Throw(first);
        for (int i = 0; i < jobs.Count; i++)
        {
            if (entered[i] is { } error)
                outcomes[i] = new NftOutcome(false, "", error.Message);
        }
        return outcomes;
    }

    public INftSession OpenSession(string? netnsPath) => new Session(NftSession.Open(netnsPath));

    private sealed class Session(NftSession session) : INftSession
    {
        public NftOutcome Run(string script) => session.Run(script);

        public void Dispose() => session.Dispose();
    }
}
