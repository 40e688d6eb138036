using System.Net;
using System.Text;
using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Instances.Oci;

/// <summary>
/// The network identity files of an OS zone, written into its root before boot as vmadm does at create:
/// /etc/hostname, /etc/hosts, /etc/resolv.conf. Paths resolve inside the zone root only (the root belongs
/// to the zone, so its /etc may be a symlink meant for the zone's view); an existing symlink at a file
/// itself (e.g. resolv.conf -> ../run/systemd/resolve/stub-resolv.conf) is replaced by the file.
/// </summary>
public static class ZoneFiles
{
    /// <param name="ownerUid">Host uid to own the files (the mapped root of a user-namespaced zone), or -1.</param>
    /// <exception cref="SolsticeException">InvalidArgument for a bad hostname, domain or resolver.</exception>
    /// <param name="durable">false when the zone root is discarded anyway if the node crashes before the write is settled (a create).</param>
    public static void Write(string rootfs, string hostname, string? dnsDomain, IReadOnlyList<string> resolvers,
        int ownerUid = -1, int ownerGid = -1, bool durable = true)
    {
        var problems = new List<string>();
        if (!IsDnsName(hostname) || hostname.Contains('.'))
            problems.Add($"hostname '{hostname}' is not a valid host name");
        if (!string.IsNullOrEmpty(dnsDomain) && !IsDnsName(dnsDomain))
            problems.Add($"dns_domain '{dnsDomain}' is not a valid domain");
        var addresses = new List<IPAddress>();
        foreach (string resolver in resolvers)
        {
            if (IPAddress.TryParse(resolver, out var address) && !resolver.Contains('%'))
                addresses.Add(address);
            else
                problems.Add($"resolver '{resolver}' is not an IP address");
        }
        if (problems.Count > 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, string.Join("; ", problems));

        RootedFile.WriteAtomicText(rootfs, "etc/hostname", $"{hostname}\n", 0x1a4, ownerUid, ownerGid, durable);
        RootedFile.WriteAtomicText(rootfs, "etc/hosts", Hosts(hostname, dnsDomain), 0x1a4, ownerUid, ownerGid, durable);
        RootedFile.WriteAtomicText(rootfs, "etc/resolv.conf", ResolvConf(dnsDomain, addresses), 0x1a4, ownerUid, ownerGid, durable);
    }

    public static string Hosts(string hostname, string? dnsDomain)
    {
        string names = string.IsNullOrEmpty(dnsDomain) ? hostname : $"{hostname}.{dnsDomain} {hostname}";
        // 127.0.1.1 (Debian's convention) makes the hostname resolve before the zone knows its address.
        return $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{names}\n";
    }

    public static string ResolvConf(string? dnsDomain, IReadOnlyList<IPAddress> resolvers)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrEmpty(dnsDomain))
            text.Append("search ").Append(dnsDomain).Append('\n');
        foreach (var resolver in resolvers)
            text.Append("nameserver ").Append(resolver).Append('\n');
        return text.ToString();
    }

    private static bool IsDnsName(string name) =>
        name.Length is > 0 and <= 253 && name.Split('.').All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
}
