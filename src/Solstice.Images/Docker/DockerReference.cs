using System.Text.RegularExpressions;
using Solstice.Core;

namespace Solstice.Images.Docker;

/// <summary>
/// A docker image reference as imgadm import takes it: REPO[:TAG] or REPO@sha256:DIGEST, the
/// tag defaulting to "latest". Docker Hub's single-component names get "library/" when the
/// registry is Docker Hub.
/// </summary>
public sealed partial record DockerReference(string Repository, string? Tag, string? Digest)
{
    /// <summary>What the registry's manifest endpoint takes: the digest when given, else the tag.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    public override string ToString() => Digest is not null ? $"{Repository}@{Digest}" : $"{Repository}:{Tag ?? "latest"}";

    public static bool TryParse(string text, out DockerReference reference)
    {
        reference = null!;
        string repo = text;
        string? tag = null, digest = null;
        int at = text.IndexOf('@');
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            repo = text[..at];
            if (!DigestPattern().IsMatch(digest))
                return false;
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon > text.LastIndexOf('/'))
            {
                tag = text[(colon + 1)..];
                repo = text[..colon];
                if (!TagPattern().IsMatch(tag))
                    return false;
            }
        }
        if (!RepositoryPattern().IsMatch(repo))
            return false;
        reference = new DockerReference(repo, digest is null ? tag ?? "latest" : null, digest);
        return true;
    }

    public static DockerReference Parse(string text) =>
        TryParse(text, out var reference) ? reference
        : throw new SolsticeException(ErrorCode.InvalidArgument, $"'{text}' is neither an image uuid nor a docker reference (repo[:tag] or repo@sha256:digest)");

    /// <summary>The repository path on a given registry: Docker Hub puts official images under library/.</summary>
    public string RepositoryOn(string registryUrl) =>
        !Repository.Contains('/') && (registryUrl.Contains("docker.io", StringComparison.Ordinal)) ? "library/" + Repository : Repository;

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
