using Solstice.Core;
using Solstice.Network.Firewall;
using Solstice.TestKit;
using static Solstice.Network.Tests.Firewall.FwTestData;

namespace Solstice.Network.Tests.Firewall;

public sealed class FirewallRuleStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("solstice-fwstore");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Add_get_list_update_enable_delete_round_trip()
    {
        var store = new FirewallRuleStore(_dir.Combine("rules"));
        Assert.Empty(store.List());
        var b = Rule("FROM any TO all vms ALLOW tcp PORT 22", uuid: "bbbbbbbb-0000-4000-8000-000000000000", owner: OwnerA);
        var a = Rule("FROM any TO all vms ALLOW tcp PORT 80", uuid: "aaaaaaaa-0000-4000-8000-000000000000", enabled: false);
        store.Add(b);
        store.Add(a);
        Assert.Equal([a, b], store.List());
        Assert.Equal(b, store.Get(b.Uuid));
        Assert.True(File.Exists(_dir.Combine("rules", b.Uuid + ".json")));
        Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<SolsticeException>(() => store.Add(a)).Code);

        var enabled = store.SetEnabled(a.Uuid, true, "2.000001");
        Assert.True(enabled.Enabled);
        Assert.Equal(enabled, new FirewallRuleStore(_dir.Combine("rules")).Get(a.Uuid));

        store.Update(b with { Description = "ssh" });
        Assert.Equal("ssh", store.Get(b.Uuid)!.Description);

        store.Delete(a.Uuid);
        Assert.Null(store.Get(a.Uuid));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<SolsticeException>(() => store.Delete(a.Uuid)).Code);
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<SolsticeException>(() => store.Update(a)).Code);
        Assert.Null(store.Get("not-a-uuid"));
    }

    [Fact]
    public void A_corrupt_rule_file_is_reported_with_its_path()
    {
        Directory.CreateDirectory(_dir.Path);
        File.WriteAllText(_dir.Combine("aaaaaaaa-0000-4000-8000-000000000000.json"), """{"rule": "FROM nonsense"}""");
        var ex = Assert.Throws<SolsticeException>(() => new FirewallRuleStore(_dir.Path).List());
        Assert.Contains("aaaaaaaa-0000-4000-8000-000000000000.json", ex.Message);
    }

    [Fact]
    public void Files_are_pretty_printed_json_in_fwadm_field_order()
    {
        var store = new FirewallRuleStore(_dir.Path);
        var rule = Rule("FROM any TO all vms ALLOW tcp PORT 22", uuid: "aaaaaaaa-0000-4000-8000-000000000000");
        store.Add(rule);
        Assert.Equal("""
            {
              "enabled": true,
              "global": true,
              "log": false,
              "rule": "FROM any TO all vms ALLOW tcp PORT 22",
              "uuid": "aaaaaaaa-0000-4000-8000-000000000000",
              "version": "1700000000000.000042"
            }

            """, File.ReadAllText(_dir.Combine(rule.Uuid + ".json")));
    }
}
