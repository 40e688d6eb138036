using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Solstice.Core;
using Solstice.Linux.Interop;
using Solstice.Linux.Netlink;

namespace Solstice.Network.Links;

// The rtnetlink side of ZoneNetwork: what `ip link/addr/route` used to do, in-process.
public sealed partial class ZoneNetwork
{
    /// <summary>Bridges (created when missing), then each nic's veth pair with the peer in the zone, as a port of its bridge.</summary>
    private void AttachHostEnds(List<NicAttachment> added, Dictionary<string, int?> bridgeMtus, string netnsPath)
    {
        using var host = RouteNetlink.Open(_options.HostNetnsPath);
        var bridges = new Dictionary<string, int>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (bridge, mtu) in bridgeMtus)
        {
            var link = host.FindLink(bridge);
            if (link is null)
            {
                host.AddBridge(bridge, mtu);
                host.SetNoIpv6LinkLocal(bridge);
                host.SetLink(bridge, up: true);
                missing.Add(bridge);
            }
            else if (link.Kind != "bridge")
            {
                throw new NetlinkException($"add bridge {bridge}", Errno.EEXIST, $"a {link.Kind ?? "device"} has that name");
            }
            else
            {
                bridges[bridge] = link.Index;
            }
        }
        host.Commit();
        foreach (string bridge in missing)
            bridges[bridge] = IndexOf(host, bridge);
        foreach (var a in added)
        {
            RemoveLeftoverHostEnd(host, a.HostLink);
            host.AddVeth(a.HostLink, a.Mtu, a.ZoneInterface, NicMac(a.Nic), netnsPath, a.MaxGsoSize);
            host.SetNoIpv6LinkLocal(a.HostLink);
            host.SetLink(a.HostLink, masterIndex: bridges[a.Bridge], up: true);
        }
        host.Commit();
    }

    /// <summary>
    /// A zone booted again right after it stopped (vmadm reboot, stop then start) may find the host
    /// end of its old veth still there: the kernel removes it with the old namespace, but
    /// asynchronously. Give the kernel up to a second, then delete what is left (in the batch,
    /// before the new pair). The name is the zone's own, so nothing else can be holding it.
    /// </summary>
    private static void RemoveLeftoverHostEnd(RouteNetlink host, string link)
    {
        if (host.FindLink(link) is null)
            return;
        for (int i = 0; i < 40; i++)
        {
            Thread.Sleep(25);
            if (host.FindLink(link) is null)
                return;
        }
        host.DeleteLink(link, ignoreMissing: true);
    }

    /// <summary>
    /// Inside the zone: each nic up with its addresses (IPv6 without DAD) and, for the primary, one
    /// default route per family. A nic without IPv6 gets no link-local address, as a SmartOS zone
    /// plumbs IPv6 only for nics that have it: otherwise every new link's DAD, MLD and router
    /// solicitations are flooded to every port of the bridge.
    /// </summary>
    private static void ConfigureZoneEnds(List<NicAttachment> added, string netnsPath)
    {
        using var zone = RouteNetlink.Open(netnsPath);
        foreach (var a in added)
        {
            int index = IndexOf(zone, a.ZoneInterface);
            if (!a.Nic.UsesIpv6)
                zone.SetNoIpv6LinkLocal(a.ZoneInterface);
            zone.SetLink(a.ZoneInterface, up: true);
            foreach (var ip in a.Nic.Ips)
                zone.AddAddress(index, ip.Address, ip.PrefixLength, noDad: ip.IsV6);
            if (a.Nic.Primary)
            {
                // One default route per family: the first gateway of each (the OS round-robin of SmartOS is not reproduced).
                foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
                {
                    if (a.Nic.Gateways.FirstOrDefault(g => g.AddressFamily == family) is { } gateway)
                        zone.ReplaceRoute(family, null, 0, gateway, index);
                }
            }
        }
        zone.Commit();
    }

    private static void ReplaceRoutes(string netnsPath, List<(IpCidr Destination, IPAddress? Gateway, string? Link)> routes)
    {
        using var zone = RouteNetlink.Open(netnsPath);
        foreach (var (destination, gateway, link) in routes)
        {
            int? index = link is null ? null : IndexOf(zone, link);
            zone.ReplaceRoute(destination.Address.AddressFamily, destination.Address, destination.PrefixLength, gateway, index);
        }
        zone.Commit();
    }

    /// <summary>Deletes a host-side link (a veth takes its zone end along); a missing one is fine.</summary>
    private void DeleteHostLink(string name)
    {
        using var host = RouteNetlink.Open(_options.HostNetnsPath);
        host.DeleteLink(name, ignoreMissing: true);
        host.Commit();
    }

    private static int IndexOf(RouteNetlink links, string name) =>
        links.FindLink(name)?.Index ?? throw new NetlinkException($"look up link {name}", Errno.ENODEV, null);

    private static PhysicalAddress NicMac(NicSpec nic) =>
        PhysicalAddress.TryParse(NicSpec.NormalizeMac(nic.Mac), out var mac) && mac.GetAddressBytes().Length == 6
            ? mac
            : throw new SolsticeException(ErrorCode.InvalidArgument, $"'{nic.Mac}' is not a MAC address");

    /// <summary>Runs kernel work; a refusal (errno and the kernel's text) becomes BackendFailed prefixed with what.</summary>
    private static void Kernel(string what, Action action)
    {
        try
        {
            action();
        }
        catch (IOException ex)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"{what}: {ex.Message}", ex);
        }
    }
}
