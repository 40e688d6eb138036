using System.Text.Json.Nodes;
using Solstice.Metadata.Tests.Support;

namespace Solstice.Metadata.Tests;

/// <summary>The key classes of smartos-interfaces.md §4.2-4.3 over a VM object.</summary>
public class VmMetadataStoreTests
{
    private readonly TestVm _vm = new();

    private MetadataResult Get(string key) => _vm.Store.Get(key);

    [Theory]
    [InlineData("user-script", "#!/bin/sh\necho hi\n")]
    [InlineData("root_authorized_keys", "ssh-ed25519 AAAA test")]
    [InlineData("root_pw", "s3cret")]                  // *_pw: internal_metadata
    [InlineData("docker:cmd", "[\"sh\"]")]             // internal namespace: internal_metadata
    public void Customer_password_and_namespaced_keys_resolve(string key, string value)
    {
        Assert.Equal(MetadataResult.Found(value), Get(key));
    }

    [Theory]
    [InlineData("bad_pw")]      // a *_pw key stored in customer_metadata is not visible
    [InlineData("docker:env")]  // nor is a namespaced one
    [InlineData("plain")]       // internal keys that are neither are not customer keys
    [InlineData("operator-script")]
    [InlineData("nope")]
    public void Keys_in_the_other_table_are_not_found(string key)
    {
        Assert.Equal(MetadataResult.NotFound, Get(key));
    }

    [Theory]
    [InlineData("sdc:uuid", TestVm.Uuid)]
    [InlineData("sdc:alias", "web01")]
    [InlineData("sdc:hostname", "web01")]
    [InlineData("sdc:dns_domain", "example.com")]
    [InlineData("sdc:image_uuid", "01b2c898-945f-11e1-a523-af1afbe22822")]
    [InlineData("sdc:owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853")]
    [InlineData("sdc:server_uuid", "44454c4c-3800-104b-8052-b4c04f4d5a31")]
    [InlineData("sdc:datacenter_name", "us-test-1")]
    [InlineData("sdc:brand", "joyent")]
    [InlineData("sdc:max_physical_memory", "256")]
    [InlineData("sdc:autoboot", "true")]
    [InlineData("sdc:tmpfs", "256")]
    [InlineData("sdc:resolvers", "[\"8.8.8.8\",\"8.8.4.4\"]")]
    [InlineData("sdc:operator-script", "echo op")]
    [InlineData("sdc:volumes", "[]")]
    [InlineData("sdc:tags.role", "web")]
    [InlineData("sdc:tags.a.b", "dotted")]             // tag names may contain dots
    [InlineData("sdc:tags.count", "3")]
    [InlineData("sdc:nics.0.ip", "10.88.88.50")]       // VM.flatten
    [InlineData("sdc:nics.1.ip", "dhcp")]
    [InlineData("sdc:resolvers.1", "8.8.4.4")]
    [InlineData("sdc:resolvers.0x1", "8.8.4.4")]       // Number() syntax
    [InlineData("sdc:resolvers.", "8.8.8.8")]          // Number("") is 0
    [InlineData("sdc:customer_metadata.root_authorized_keys", "ssh-ed25519 AAAA test")]
    [InlineData("sdc:internal_metadata.plain", "hidden")]
    [InlineData("sdc:disks", "")]                      // String([]) is "", a number to isNaN
    [InlineData("sdc:empty", "")]
    public void Sdc_keys_are_computed_from_the_vm(string key, string value)
    {
        Assert.Equal(MetadataResult.Found(value), Get(key));
    }

    [Theory]
    [InlineData("sdc:")]
    [InlineData("sdc:nothing")]
    [InlineData("sdc:tags.none")]
    [InlineData("sdc:nics.0")]          // two tokens: not an array_hash_key path, so vm["nics.0"]
    [InlineData("sdc:nics.5.ip")]
    [InlineData("sdc:nics.01.ip")]      // not a canonical index
    [InlineData("sdc:resolvers.2")]
    [InlineData("sdc:resolvers.1.5")]
    [InlineData("sdc:customer_metadata.a.b")]
    [InlineData("SDC:uuid")]
    public void Absent_sdc_keys_are_not_found(string key)
    {
        Assert.Equal(MetadataResult.NotFound, Get(key));
    }

    [Theory]
    [InlineData("sdc:tags")]
    [InlineData("sdc:customer_metadata")]
    [InlineData("sdc:internal_metadata_namespaces")]   // String(["docker"]) is not a number
    public void Non_scalar_values_fail_without_message(string key)
    {
        Assert.Equal(MetadataResult.Failed(), Get(key));
    }

    [Fact]
    public void Nics_are_the_json_of_the_vm_nics()
    {
        Assert.Equal(Core.Vm.VmJson.Stringify(_vm.Vm["nics"]), Get("sdc:nics").Value);
        Assert.StartsWith("[{\"interface\":\"net0\",\"mac\":\"90:b8:d0:2f:aa:01\"", Get("sdc:nics").Value);
    }

    [Fact]
    public void Routes_resolve_nic_gateways_and_skip_dhcp()
    {
        Assert.Equal(
            """[{"linklocal":false,"dst":"10.2.0.0/16","gateway":"10.88.88.1"},{"linklocal":true,"dst":"172.16.0.0/12","gateway":"10.88.88.50"},{"linklocal":true,"dst":"192.168.0.0/16","gateway":"10.88.88.50"}]""",
            Get("sdc:routes").Value);
    }

    [Theory]
    [InlineData("90:b8:d0:2f:aa:01", true)]
    [InlineData("90-B8-D0-2F-AA-1", true)]
    [InlineData("90b8d02faa01", true)]
    [InlineData("90:b8-d0:2f:aa:01", false)]
    [InlineData("90:b8:d0:2f:aa", false)]
    [InlineData("90:b8:d0:2f:aa:01:", false)]
    [InlineData("90:b8:d0:2f:aa:001", false)]
    public void Mac_routes_accept_what_node_macaddr_parses(string mac, bool resolves)
    {
        var vm = new TestVm(new()
        {
            ["nics"] = new JsonArray(new JsonObject { ["mac"] = "90:b8:d0:2f:aa:01", ["ip"] = "10.0.0.5" }),
            ["routes"] = new JsonObject { ["10.1.0.0/16"] = $"macs[{mac}]" },
        });
        Assert.Equal(resolves ? """[{"linklocal":true,"dst":"10.1.0.0/16","gateway":"10.0.0.5"}]""" : "[]", vm.Store.Get("sdc:routes").Value);
    }

    [Fact]
    public void Values_are_stringified_like_javascript()
    {
        var vm = new TestVm(new()
        {
            ["customer_metadata"] = new JsonObject
            {
                ["int"] = 42, ["float"] = 1.5, ["big"] = 1e21, ["false"] = false, ["null"] = null,
                ["one"] = new JsonArray(5), ["two"] = new JsonArray(1, 2), ["obj"] = new JsonObject(),
            },
        });
        Assert.Equal(MetadataResult.Found("42"), vm.Store.Get("int"));
        Assert.Equal(MetadataResult.Found("1.5"), vm.Store.Get("float"));
        Assert.Equal(MetadataResult.Found("1e+21"), vm.Store.Get("big"));
        Assert.Equal(MetadataResult.Found("false"), vm.Store.Get("false"));
        Assert.Equal(MetadataResult.NotFound, vm.Store.Get("null"));
        Assert.Equal(MetadataResult.Found("5"), vm.Store.Get("one"));
        Assert.Equal(MetadataResult.Failed(), vm.Store.Get("two"));
        Assert.Equal(MetadataResult.Failed(), vm.Store.Get("obj"));
    }

    [Fact]
    public void A_vm_without_the_table_fails_like_the_agent()
    {
        var vm = new TestVm(new() { ["uuid"] = "x" });
        Assert.Equal(MetadataResult.Failed("Zone did not contain customer_metadata"), vm.Store.Get("user-script"));
        Assert.Equal(MetadataResult.Failed("Zone did not contain internal_metadata"), vm.Store.Get("root_pw"));
        Assert.Empty(vm.Store.Keys());
        Assert.Equal(MetadataResult.NotFound, vm.Store.Get("sdc:operator-script"));
    }

    [Fact]
    public void Keys_follow_javascript_property_order()
    {
        var vm = new TestVm(new()
        {
            ["customer_metadata"] = new JsonObject { ["b"] = "1", ["10"] = "1", ["2"] = "1", ["a"] = "1", ["01"] = "1", ["x_pw"] = "1" },
            ["internal_metadata"] = new JsonObject { ["z_pw"] = "1", ["ns:k"] = "1", ["other"] = "1" },
            ["internal_metadata_namespaces"] = new JsonArray("ns"),
        });
        Assert.Equal(["2", "10", "b", "a", "01", "z_pw", "ns:k"], vm.Store.Keys());
    }

    [Theory]
    [InlineData("user-script", "v", """{"set_customer_metadata":{"user-script":"v"}}""")]
    [InlineData("root_pw", "v", """{"set_internal_metadata":{"root_pw":"v"}}""")]
    [InlineData("operator-script", "v", """{"set_internal_metadata":{"operator-script":"v"}}""")]
    [InlineData("other:key", "v", """{"set_customer_metadata":{"other:key":"v"}}""")]
    [InlineData("user-script", "", """{"remove_customer_metadata":["user-script"]}""")]
    [InlineData("root_pw", "", """{"remove_internal_metadata":["root_pw"]}""")]
    public async Task Writes_become_vmadm_update_payloads(string key, string value, string payload)
    {
        Assert.Equal(MetadataResult.Ok, await _vm.Store.PutAsync(key, value, CancellationToken.None));
        Assert.Equal(payload, _vm.Updates.Single());
    }

    [Fact]
    public async Task Delete_removes_from_the_right_table()
    {
        Assert.Equal(MetadataResult.Ok, await _vm.Store.DeleteAsync("root_pw", CancellationToken.None));
        Assert.Equal("""{"remove_internal_metadata":["root_pw"]}""", _vm.Updates.Single());
        Assert.Equal(MetadataResult.NotFound, _vm.Store.Get("root_pw"));
    }

    [Theory]
    [InlineData("sdc:uuid", "Cannot update the \"sdc\" Namespace.")]
    [InlineData("sdc:", "Cannot update the \"sdc\" Namespace.")]
    [InlineData("docker:cmd", "Cannot update the \"docker\" Namespace.")]
    [InlineData("docker:new", "Cannot update the \"docker\" Namespace.")]
    public async Task Read_only_namespaces_refuse_writes(string key, string message)
    {
        Assert.Equal(MetadataResult.Failed(message), await _vm.Store.PutAsync(key, "x", CancellationToken.None));
        Assert.Equal(MetadataResult.Failed(message), await _vm.Store.DeleteAsync(key, CancellationToken.None));
        Assert.Empty(_vm.Updates);
    }

    [Fact]
    public async Task The_store_reads_the_current_vm_on_every_request()
    {
        await _vm.Store.PutAsync("fresh", "new", CancellationToken.None);
        Assert.Equal(MetadataResult.Found("new"), _vm.Store.Get("fresh"));
        Assert.Contains("fresh", _vm.Store.Keys());
        _vm.Vm["alias"] = "renamed";
        Assert.Equal(MetadataResult.Found("renamed"), _vm.Store.Get("sdc:alias"));
    }
}
