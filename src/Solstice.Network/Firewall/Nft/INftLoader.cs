using Solstice.Linux;

namespace Solstice.Network.Firewall.Nft;

/// <summary>One namespace's nft script; Script is called on the loading thread, so scripts can be built in parallel.</summary>
public sealed record NftJob(string NetnsPath, Func<string> Script);

/// <summary>Loads nft scripts (the <c>nft -f</c> language, each one transaction) into network namespaces.</summary>
public interface INftLoader
{
    /// <summary>Runs script in the namespace bound at netnsPath, or in the caller's own when null.</summary>
    NftOutcome Run(string? netnsPath, string script);

    /// <summary>
    /// Runs each job's script in its namespace; outcomes are in job order, and a namespace that
    /// cannot be entered is a failed outcome. If a Script function throws, the first such exception
    /// is rethrown once every job has been tried.
    /// </summary>
    IReadOnlyList<NftOutcome> RunEach(IReadOnlyList<NftJob> jobs);

    /// <summary>A session for many scripts in one namespace (netnsPath, or the caller's own when null); dispose to release it.</summary>
    INftSession OpenSession(string? netnsPath);
}

/// <summary>Runs scripts in one namespace, one at a time.</summary>
public interface INftSession : IDisposable
{
    NftOutcome Run(string script);
}
