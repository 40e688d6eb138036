using Solstice.Network.Firewall;
using Solstice.Network.Firewall.Nft;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

/// <summary>Named policies whose compiled rulesets are golden files (and are loaded into nft by the privileged test).</summary>
internal static class NftCorpus
{
    public static IReadOnlyList<VmFirewallTarget> Targets { get; } =
    [
        new(Web, ["vnic1000", "vnic1001"]),
        new(Db, ["vnic2000"]),
        new(Other, ["vnic3000"]),
        new(Off, ["vnic4000"]),
    ];

    public static IReadOnlyDictionary<string, Func<FirewallPolicy>> Cases { get; } = new Dictionary<string, Func<FirewallPolicy>>
    {
        ["empty"] = () => new FirewallPolicy([], Vms),
        ["web-db"] = () => new FirewallPolicy(
        [
            Rule("FROM any TO tag role = www ALLOW tcp (PORT 80 AND PORT 443)", owner: OwnerA, uuid: "00000000-0000-4000-8000-000000000001"),
            Rule("FROM tag role = www TO tag role = db ALLOW tcp PORT 5432", owner: OwnerA, uuid: "00000000-0000-4000-8000-000000000002"),
            Rule("FROM any TO all vms ALLOW tcp PORT 22", uuid: "00000000-0000-4000-8000-000000000003", log: true),
            Rule("FROM any TO all vms ALLOW icmp TYPE 8 CODE 0", uuid: "00000000-0000-4000-8000-000000000004"),
            Rule("FROM any TO all vms BLOCK tcp PORT 23", uuid: "00000000-0000-4000-8000-000000000005"),
            Rule("FROM any TO all vms ALLOW udp PORT 9", enabled: false, uuid: "00000000-0000-4000-8000-000000000006"),
        ], Vms),
        ["priorities"] = () => new FirewallPolicy(
        [
            Rule("FROM any TO tag role ALLOW tcp PORT 25", uuid: "00000000-0000-4000-8000-000000000011"),
            Rule("FROM (subnet 10.20.30.0/24 OR ip 10.20.30.7 OR subnet 10.20.0.0/16) TO tag role BLOCK tcp PORT 25 PRIORITY 1",
                uuid: "00000000-0000-4000-8000-000000000012"),
            Rule("FROM all vms TO any BLOCK tcp PORT all", uuid: "00000000-0000-4000-8000-000000000013"),
            Rule("FROM all vms TO any ALLOW tcp PORTS 22, 20-21, 1000 - 2000, 1500-3000 PRIORITY 1", uuid: "00000000-0000-4000-8000-000000000014"),
            Rule("FROM tag role = db TO (tag role = www OR ip 192.168.9.9) BLOCK udp PORT 53 PRIORITY 10", uuid: "00000000-0000-4000-8000-000000000015"),
        ], Vms),
        ["protocols"] = () => new FirewallPolicy(
        [
            Rule("FROM any TO all vms ALLOW icmp6 TYPE all", uuid: "00000000-0000-4000-8000-000000000021"),
            Rule("FROM (subnet 10.8.0.0/16 OR ip 10.9.9.9) TO vm " + Web + " ALLOW icmp (TYPE 0 AND TYPE 3 CODE 4 AND TYPE 8 AND TYPE 11 CODE 0)",
                uuid: "00000000-0000-4000-8000-000000000022"),
            Rule("FROM all vms TO vm " + Web + " ALLOW icmp6 (TYPE 128 AND TYPE 1 CODE 3)", uuid: "00000000-0000-4000-8000-000000000023"),
            Rule("FROM any TO all vms ALLOW ah", uuid: "00000000-0000-4000-8000-000000000024"),
            Rule("FROM any TO all vms ALLOW esp", uuid: "00000000-0000-4000-8000-000000000025"),
            Rule("FROM any TO all vms ALLOW udp (PORT 500 AND PORT 4500)", uuid: "00000000-0000-4000-8000-000000000026"),
            Rule("FROM vm " + Web + " TO subnet fd00:1::/48 BLOCK tcp PORT all PRIORITY 3", uuid: "00000000-0000-4000-8000-000000000027"),
            Rule("FROM tag nosuchtag TO vm " + Db + " ALLOW tcp PORT 7", uuid: "00000000-0000-4000-8000-000000000028"),
        ], Vms),
    };
}
