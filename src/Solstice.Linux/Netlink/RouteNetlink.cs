using Solstice.Linux.Interop;

namespace Solstice.Linux.Netlink;

/// <summary>
/// A link as the kernel reports it: its index, name and kind (veth, bridge; null for a plain
/// device); GsoIpv4MaxSize is null on kernels without BIG TCP for IPv4 (before 6.3).
/// </summary>
public sealed record LinkInfo(int Index, string Name, string? Kind, int? GsoIpv4MaxSize = null);

/// <summary>
/// An rtnetlink (NETLINK_ROUTE) client for one network namespace: what iproute2 does for zones,
/// without a process. Lookups answer at once; changes are queued and sent together by Commit, in
/// one datagram, each acknowledged; the kernel applies them in order. Not thread-safe.
/// </summary>
public sealed partial class RouteNetlink : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetlinkMessageBuilder _batch = new();
    private readonly NetlinkMessageBuilder _query = new();
    private readonly List<(uint Sequence, string Operation, int IgnoredErrno)> _pending = [];
    private readonly List<FileDescriptor> _held = [];

    private RouteNetlink(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens a client for the namespace bound at netnsPath, or for the caller's own when null.</summary>
    public static RouteNetlink Open(string? netnsPath = null) => new(netnsPath is null
        ? NetlinkSocket.Open(Nl.NetlinkRoute)
        : NetworkNamespace.Run(netnsPath, () => NetlinkSocket.Open(Nl.NetlinkRoute)));

    /// <summary>The link with that name, or null when there is none.</summary>
    public LinkInfo? FindLink(string name)
    {
        uint sequence = _socket.NextSequence();
        _query.Clear();
        _query.BeginMessage(Rtm.GetLink, Nl.Request, sequence);
        _query.Put(new IfInfoMsg());
        _query.PutString(Ifla.IfName, name);
        _query.EndMessage();
        _socket.Send(_query.Written);
        while (true)
        {
            var data = _socket.Receive();
            int offset = 0;
            while (NetlinkReader.NextMessage(data, ref offset, out var header, out var payload))
            {
                if (header.Sequence != sequence)
                    continue;
                if (header.Type == Nl.Error)
                {
                    int errno = NetlinkSocket.ParseError(header, payload, out string? message);
                    if (errno == Errno.ENODEV)
                        return null;
                    throw new NetlinkException($"look up link {name}", errno, message);
                }
                if (header.Type == Rtm.NewLink)
                    return ParseLink(payload);
            }
        }
    }

    /// <summary>
    /// Sends every queued change and waits for each ack. Throws for the first change the kernel
    /// refused (the later ones were still tried, as with ip -force -b).
    /// </summary>
    public void Commit()
    {
        if (_pending.Count == 0)
            return;
        try
        {
            _socket.Send(_batch.Written);
            NetlinkException? failure = null;
            var waiting = _pending.ToDictionary(p => p.Sequence);
            while (waiting.Count > 0)
            {
                var data = _socket.Receive();
                int offset = 0;
                while (NetlinkReader.NextMessage(data, ref offset, out var header, out var payload))
                {
                    if (header.Type != Nl.Error || !waiting.Remove(header.Sequence, out var request))
                        continue;
                    int errno = NetlinkSocket.ParseError(header, payload, out string? message);
                    if (errno != 0 && errno != request.IgnoredErrno)
                        failure ??= new NetlinkException(request.Operation, errno, message);
                }
            }
            if (failure is not null)
                throw failure;
        }
        finally
        {
            ClearBatch();
        }
    }

    public void Dispose()
    {
        ClearBatch();
        _socket.Dispose();
    }

    private void ClearBatch()
    {
        _batch.Clear();
        _pending.Clear();
        foreach (var fd in _held)
            fd.Dispose();
        _held.Clear();
    }

    private void Begin(ushort type, ushort flags, string operation, int ignoredErrno = 0)
    {
        uint sequence = _socket.NextSequence();
        _pending.Add((sequence, operation, ignoredErrno));
        _batch.BeginMessage(type, (ushort)(Nl.Request | Nl.Ack | flags), sequence);
    }

    private static LinkInfo ParseLink(ReadOnlySpan<byte> payload)
    {
        var info = System.Runtime.InteropServices.MemoryMarshal.Read<IfInfoMsg>(payload);
        var attributes = payload[NetlinkMessageBuilder.Align(System.Runtime.CompilerServices.Unsafe.SizeOf<IfInfoMsg>())..];
        var kind = NetlinkReader.Find(NetlinkReader.Find(attributes, Ifla.LinkInfo), Ifla.InfoKind);
        var gsoIpv4 = NetlinkReader.Find(attributes, Ifla.GsoIpv4MaxSize);
        return new LinkInfo(info.Index, NetlinkReader.String(NetlinkReader.Find(attributes, Ifla.IfName)), kind.IsEmpty ? null : NetlinkReader.String(kind),
            gsoIpv4.Length >= 4 ? (int)System.Runtime.InteropServices.MemoryMarshal.Read<uint>(gsoIpv4) : null);
    }
}
