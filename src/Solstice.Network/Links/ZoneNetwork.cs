using System.Globalization;
using System.Net;
using Solstice.Core;
using Solstice.Linux;
using Solstice.Linux.Interop;
using Solstice.Linux.Netlink;
using Solstice.Network.Firewall.Nft;

namespace Solstice.Network.Links;

public sealed record ZoneNetworkOptions
{
    /// <summary>Where persistent zone namespaces are bind-mounted, one file per VM uuid.</summary>
    public string NetnsDirectory { get; init; } = "/run/solstice/netns";

    /// <summary>The namespace holding bridges and host-side links; null for the daemon's own.</summary>
    public string? HostNetnsPath { get; init; }

    /// <summary>How VLANs are separated; null probes the kernel once.</summary>
    public VlanMode? VlanMode { get; init; }

    public string AntiSpoofTable { get; init; } = AntiSpoofCompiler.DefaultTable;
}

/// <summary>A nic as attached: its host-side link and bridge, and its name inside the zone.</summary>
public sealed record NicAttachment(string VmUuid, int Index, string HostLink, string Bridge, string ZoneInterface, NicSpec Nic)
{
    /// <summary>The MTU of both ends: the nic's, else its tag's, else 1500.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// Both ends' GSO/GRO limit when above the kernel's 64 KiB default (BIG TCP): set on local tags,
    /// whose traffic never leaves the node, so fewer, larger packets cross the veths and the bridge.
    /// Null on tags bound to a physical NIC, where larger packets would be segmented in software
    /// before the uplink instead of by its TSO.
    /// </summary>
    public int? MaxGsoSize { get; init; }

    /// <summary>192 KiB, as container networks that enable BIG TCP commonly use.</summary>
    public const int LocalTagGsoSize = 196608;
}

/// <summary>
/// Zone networking (docs/network.md). Each zone gets a persistent network namespace (a file the daemon
/// hands to runc as the container's network namespace path); each nic is a veth pair whose host side
/// z&lt;uuid8&gt;n&lt;index&gt; is a port of its nic tag's bridge (one per tag and vlan) and whose peer is moved
/// into the zone, named net&lt;index&gt; (eth&lt;index&gt; for lx), with the nic's MAC, MTU, addresses and
/// routes. Anti-spoofing is one bridge-family nft table over all attached nics. Links are made over
/// rtnetlink and tables loaded with libnftables, in-process (no spawns on the nic path). Thread-safe:
/// calls are serialised. Dispose releases the nft session it keeps on the node's namespace.
/// </summary>
public sealed partial class ZoneNetwork : IDisposable
{
    private readonly HostCommands _commands;
    private readonly ZoneNetworkOptions _options;
    private readonly Func<string, NicTag?> _tags;
    private readonly AntiSpoofApplier _antiSpoof;
    private readonly Dictionary<string, SortedDictionary<int, NicAttachment>> _nics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _antiSpoofLoaded;
    private VlanMode? _vlanMode;

    /// <param name="runner">Only for VLAN-filtering port settings (bridge vlan add), a mode this kernel lacks.</param>
    /// <param name="nft">Loads the anti-spoofing table; libnftables in-process when null.</param>
    public ZoneNetwork(ICommandRunner runner, Func<string, NicTag?> tags, ZoneNetworkOptions? options = null, INftLoader? nft = null)
    {
        _options = options ?? new ZoneNetworkOptions();
        _commands = new HostCommands(runner, _options.HostNetnsPath);
        _tags = tags;
        _antiSpoof = new AntiSpoofApplier(nft ?? LibNftablesLoader.Instance, _options.HostNetnsPath, _options.AntiSpoofTable);
        _vlanMode = _options.VlanMode;
    }

    public ZoneNetworkOptions Options => _options;

    public void Dispose()
    {
        lock (_lock)
            _antiSpoof.Dispose();
    }

    public VlanMode VlanMode => _vlanMode ??= NetworkProbe.ProbeVlanMode();

    /// <summary>The nics currently attached, by VM.</summary>
    public IReadOnlyList<NicAttachment> Attachments
    {
        get
        {
            lock (_lock)
                return _nics.Values.SelectMany(n => n.Values).ToList();
        }
    }

    public string NamespacePath(string uuid)
    {
        if (!Firewall.FwRuleValues.IsUuid(uuid))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{uuid}' is not a VM uuid");
        return Path.Combine(_options.NetnsDirectory, uuid);
    }

    /// <summary>The bridge a nic on (tag, vlan) attaches to.</summary>
    public string BridgeFor(string tag, int vlan) => VlanMode == VlanMode.BridgePerVlan ? LinkNames.Bridge(tag, vlan) : LinkNames.Bridge(tag);

    /// <summary>
    /// Creates the zone's persistent network namespace (loopback up) and returns its path, for
    /// ZoneRuntimeSpec.NetworkNamespacePath. Idempotent: an existing namespace is kept.
    /// </summary>
    public string CreateNamespace(string uuid)
    {
        string path = NamespacePath(uuid);
        if (IsNamespaceMounted(path))
            return path;
        Directory.CreateDirectory(_options.NetnsDirectory);
        File.WriteAllBytes(path, []);
        try
        {
            NetworkNamespace.Create(path, () =>
            {
                using var links = RouteNetlink.Open();
                links.SetLink("lo", up: true);
                links.Commit();
            });
        }
        catch (IOException ex)
        {
            Libc.Umount2(path, 2 /* MNT_DETACH */);
            File.Delete(path);
            throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to create the network namespace of {uuid}: {ex.Message}");
        }
        return path;
    }

    /// <summary>
    /// Unmounts and removes the zone's namespace file and forgets its nics. The namespace, and with it
    /// every veth pair, goes when its last user (the container) exits.
    /// </summary>
    public void DestroyNamespace(string uuid)
    {
        string path = NamespacePath(uuid);
        lock (_lock)
        {
            var removed = _nics.Remove(uuid, out var gone) ? gone.Values.ToList() : [];
            if (File.Exists(path))
            {
                if (Libc.Umount2(path, 2 /* MNT_DETACH */) != 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno != 22 /* EINVAL: not a mount point */)
                        throw new SolsticeException(ErrorCode.BackendFailed, $"Failed to unmount {path}: {Libc.Describe(errno)}");
                }
                File.Delete(path);
            }
            if (removed.Count > 0)
                RemoveAntiSpoofLocked(removed);
        }
    }

    /// <summary>Adds one nic (see AddNics).</summary>
    public NicAttachment AddNic(string uuid, string netnsPath, NicSpec nic, int index, string interfacePrefix = "net") =>
        AddNics(uuid, netnsPath, [(index, nic)], interfacePrefix)[0];

    /// <summary>
    /// Attaches nics to a zone: one rtnetlink batch in the node's namespace (bridges on demand, veth
    /// pairs, bridge ports), one in the zone's (links up, addresses, default routes), and one nft
    /// transaction adding their anti-spoofing set elements; no processes for any number of nics.
    /// </summary>
    public IReadOnlyList<NicAttachment> AddNics(string uuid, string netnsPath, IReadOnlyList<(int Index, NicSpec Nic)> nics, string interfacePrefix = "net")
    {
        if (!LinkNames.IsValidInterface(interfacePrefix + "999"))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{interfacePrefix}' is not a valid interface prefix");
        lock (_lock)
        {
            var attached = _nics.GetValueOrDefault(uuid);
            var added = new List<NicAttachment>();
            var bridgeMtus = new Dictionary<string, int?>(StringComparer.Ordinal);
            foreach (var (index, nic) in nics)
            {
                if (attached?.ContainsKey(index) == true || added.Any(a => a.Index == index))
                    throw new SolsticeException(ErrorCode.AlreadyExists, $"VM {uuid} already has nic {index}");
                var tag = _tags(nic.NicTag) ?? throw new SolsticeException(ErrorCode.NotFound, $"nic tag \"{nic.NicTag}\" does not exist");
                string bridge = BridgeFor(tag.Name, nic.VlanId);
                string ifname = nic.Interface is { } given && given.StartsWith("net", StringComparison.Ordinal) && interfacePrefix != "net"
                    ? interfacePrefix + given[3..]
                    : nic.Interface ?? interfacePrefix + index.ToString(CultureInfo.InvariantCulture);
                if (!LinkNames.IsValidInterface(ifname))
                    throw new SolsticeException(ErrorCode.InvalidArgument, $"'{ifname}' is not a valid interface name");
                _ = NicMac(nic); // refuse a malformed MAC before anything reaches the kernel
                bridgeMtus.TryAdd(bridge, tag.Mtu);
                added.Add(new NicAttachment(uuid, index, LinkNames.HostLink(uuid, index), bridge, ifname, nic)
                {
                    Mtu = nic.Mtu ?? tag.Mtu ?? 1500,
                    MaxGsoSize = tag.Kind == NicTagKind.Local ? NicAttachment.LocalTagGsoSize : null,
                });
            }
            if (added.Count == 0)
                return added;
            Kernel($"Failed to attach the nics of {uuid}", () => AttachHostEnds(added, bridgeMtus, netnsPath));
            if (VlanMode == VlanMode.VlanFiltering)
            {
                var vlanLines = added.Where(a => a.Nic.VlanId != 0).Select(a =>
                    $"vlan add vid {a.Nic.VlanId.ToString(CultureInfo.InvariantCulture)} dev {a.HostLink} pvid untagged").ToList();
                if (vlanLines.Count > 0)
                    HostCommands.Check(_commands.Host(["bridge", "-b", "-"], string.Join('\n', vlanLines) + "\n"), $"Failed to set the vlans of {uuid}");
            }
            Kernel($"Failed to configure the nics of {uuid}", () => ConfigureZoneEnds(added, netnsPath));
            if (attached is null)
                _nics[uuid] = attached = [];
            foreach (var a in added)
                attached[a.Index] = a;
            AddAntiSpoofLocked(added);
            return added;
        }
    }

    /// <summary>Removes a nic: deletes its veth pair (both ends) and its anti-spoofing set elements.</summary>
    public void RemoveNic(string uuid, int index)
    {
        lock (_lock)
        {
            string link = LinkNames.HostLink(uuid, index);
            Kernel($"Failed to remove nic {index} of {uuid}", () => DeleteHostLink(link));
            if (_nics.TryGetValue(uuid, out var attached) && attached.Remove(index, out var removed))
                RemoveAntiSpoofLocked([removed]);
        }
    }

    /// <summary>
    /// Static routes of a VM (routes property: destination → gateway; a gateway of nics[N] makes the
    /// route link-local on that nic; macs[..] gateways are not supported and skipped).
    /// </summary>
    public void SetRoutes(string netnsPath, IReadOnlyDictionary<string, string> routes, string interfacePrefix = "net")
    {
        var parsed = new List<(IpCidr Destination, IPAddress? Gateway, string? Link)>();
        foreach (var (dst, gw) in routes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var destination = IpCidr.Parse(dst);
            if (gw.StartsWith("nics[", StringComparison.Ordinal) && gw.EndsWith(']') && int.TryParse(gw[5..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                parsed.Add((destination, null, interfacePrefix + n.ToString(CultureInfo.InvariantCulture)));
            else if (IPAddress.TryParse(gw, out var address))
                parsed.Add((destination, address, null));
        }
        if (parsed.Count > 0)
            Kernel("Failed to set routes", () => ReplaceRoutes(netnsPath, parsed));
    }

    /// <summary>
    /// Registers nics attached by an earlier daemon (links survive a daemon restart) so the
    /// anti-spoofing table covers them; call ApplyAntiSpoof after registering every running zone.
    /// </summary>
    public void Register(string uuid, IReadOnlyList<(int Index, NicSpec Nic)> nics, string interfacePrefix = "net")
    {
        lock (_lock)
        {
            var attached = _nics.GetValueOrDefault(uuid) ?? (_nics[uuid] = []);
            foreach (var (index, nic) in nics)
            {
                attached[index] = new NicAttachment(uuid, index, LinkNames.HostLink(uuid, index), BridgeFor(nic.NicTag, nic.VlanId),
                    nic.Interface ?? interfacePrefix + index.ToString(CultureInfo.InvariantCulture), nic);
            }
        }
    }

    public void ApplyAntiSpoof()
    {
        lock (_lock)
            ApplyAntiSpoofLocked();
    }

    /// <summary>Removes the anti-spoofing table (tests, or the node no longer managing networking).</summary>
    public void RemoveAntiSpoof()
    {
        lock (_lock)
        {
            _antiSpoof.Remove();
            _antiSpoofLoaded = false;
        }
    }

    /// <summary>Deletes a bridge the node created (a removed tag); a missing bridge is fine.</summary>
    public void DeleteBridge(string bridge)
    {
        lock (_lock)
        {
            Kernel($"Failed to delete bridge {bridge}", () => DeleteHostLink(bridge));
        }
    }

    /// <summary>The commands that create a bridge: no STP, no forward delay, no IPv6 link-local address, up.</summary>
    internal static IEnumerable<string> BridgeLines(string bridge, int? mtu)
    {
        string mtuText = mtu is { } m ? $" mtu {m.ToString(CultureInfo.InvariantCulture)}" : "";
        yield return $"link add {bridge}{mtuText} type bridge stp_state 0 forward_delay 0";
        yield return $"link set {bridge} addrgenmode none";
        yield return $"link set {bridge} up";
    }

    internal static bool IsNamespaceMounted(string path) => NetworkNamespace.IsBound(path);

    private void ApplyAntiSpoofLocked()
    {
        _antiSpoofLoaded = false;
        _antiSpoof.Apply(_nics.Values.SelectMany(n => n.Values).Select(a => AntiSpoofPort.For(a.HostLink, a.Nic)));
        _antiSpoofLoaded = true;
    }

    private void AddAntiSpoofLocked(List<NicAttachment> added)
    {
        if (_antiSpoofLoaded)
        {
            try
            {
                _antiSpoof.Add(added.Select(a => AntiSpoofPort.For(a.HostLink, a.Nic)));
                return;
            }
            catch (SolsticeException)
            {
                // the table changed under us: reload it whole
            }
        }
        ApplyAntiSpoofLocked();
    }

    private void RemoveAntiSpoofLocked(IReadOnlyList<NicAttachment> removed)
    {
        if (!_antiSpoofLoaded)
        {
            ApplyAntiSpoofLocked();
            return;
        }
        try
        {
            _antiSpoof.Remove(removed.Select(a => AntiSpoofPort.For(a.HostLink, a.Nic)));
        }
        catch (SolsticeException)
        {
            ApplyAntiSpoofLocked();
        }
    }
}
