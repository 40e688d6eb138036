using System.Text.Json.Nodes;
using Solstice.Network.Firewall;

namespace Solstice.Network.Tests.Firewall;

internal static class FwTestData
{
    public const string OwnerA = "aaaaaaaa-0000-4000-8000-000000000001";
    public const string OwnerB = "bbbbbbbb-0000-4000-8000-000000000002";
    public const string Web = "11111111-1111-4111-8111-111111111111";
    public const string Db = "22222222-2222-4222-8222-222222222222";
    public const string Other = "33333333-3333-4333-8333-333333333333";
    public const string Off = "44444444-4444-4444-8444-444444444444";

    public static FirewallVm Vm(string uuid, string owner, string[] ips, bool enabled = true, params (string Key, string Value)[] tags) =>
        new(uuid, owner, tags.ToDictionary(t => t.Key, t => t.Value), ips, enabled);

    public static IReadOnlyList<FirewallVm> Vms { get; } =
    [
        Vm(Web, OwnerA, ["10.0.0.10", "fd00::10"], true, ("role", "www")),
        Vm(Db, OwnerA, ["10.0.0.20/24"], true, ("role", "db")),
        Vm(Other, OwnerB, ["10.0.0.30"], true, ("role", "www")),
        Vm(Off, OwnerA, ["10.0.0.40"], false, ("role", "db")),
    ];

    private static int s_next;

    public static FirewallRule Rule(string text, string? owner = null, bool enabled = true, string? uuid = null, bool log = false)
    {
        var payload = new JsonObject { ["rule"] = text, ["enabled"] = enabled, ["log"] = log };
        if (owner is not null)
            payload["owner_uuid"] = owner;
        payload["uuid"] = uuid ?? $"99999999-0000-4000-8000-{Interlocked.Increment(ref s_next):D12}";
        payload["version"] = "1700000000000.000042";
        return FirewallRule.FromPayload(payload);
    }
}
