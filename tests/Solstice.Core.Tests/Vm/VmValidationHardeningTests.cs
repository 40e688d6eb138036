using System.Text.Json.Nodes;
using Solstice.Core.Protocol;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

/// <summary>Issue 12 §5 and the vmadm parts of §6: what validation used to accept, and SmartOS's names and rules.</summary>
public class VmValidationHardeningTests
{
    private static VmValidationResult Create(string payload, VmValidationContext? node = null) =>
        VmValidator.Validate(J(payload.Replace("@img", ImageUuid, StringComparison.Ordinal)), VmAction.Create, null, node);

    private static VmValidationResult Update(string payload, string brand = "joyent") =>
        VmValidator.Validate(J(payload), VmAction.Update, brand);

    [Theory]
    [InlineData("{'image_uuid': '@img', 'uuid': '54F1CC77-68F1-42AB-ACAC-5C4F64F5D6E0'}", "uuid")]
    [InlineData("{'image_uuid': '5A5D1C0A-5A4B-11E8-BD8D-6B4B3E2E5B8C'}", "image_uuid")]
    [InlineData("{'image_uuid': '@img', 'owner_uuid': '930896AF-BF8C-48D4-885C-6573A94B1853'}", "owner_uuid")]
    public void Upper_case_uuids_are_bad_values_as_in_vmjs(string payload, string property)
    {
        var result = Create(payload);
        Assert.Equal([property], result.BadValues);
        Assert.StartsWith($"Invalid value(s) for: {property}\n", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quota", 8589934592L)]
    [InlineData("quota", long.MaxValue)]
    [InlineData("max_physical_memory", 8796093022208L)]
    [InlineData("max_swap", 8796093022208L)]
    [InlineData("max_lwps", 2147483648L)]
    [InlineData("max_physical_memory", 0L)]
    [InlineData("ram", 0L)]
    [InlineData("cpu_shares", 0L)]
    [InlineData("max_lwps", 0L)]
    [InlineData("zfs_io_priority", 0L)]
    public void Values_that_overflow_or_cannot_boot_are_refused_on_create_and_update(string property, long value)
    {
        var create = J("{'image_uuid': '@img'}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        create[property] = value;
        Assert.Equal([property], VmValidator.Validate(create, VmAction.Create).BadValues);
        Assert.Equal([property], VmValidator.Validate(new JsonObject { [property] = value }, VmAction.Update, "joyent").BadValues);
    }

    [Fact]
    public void The_largest_quota_still_fits_in_bytes()
    {
        Assert.True(Create($"{{'image_uuid': '@img', 'quota': {VmProperties.MaxGiB}}}").IsValid);
        Assert.True(VmProperties.MaxGiB << 30 > 0);
        Assert.True(VmProperties.MaxMiB << 20 > 0);
    }

    [Fact]
    public void Update_max_physical_memory_0_is_refused_instead_of_dropping_the_limit()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img', 'ram': 1024}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        var ex = Assert.Throws<VmValidationException>(() => VmUpdater.Apply(vm, J("{'max_physical_memory': 0}")));
        Assert.StartsWith("Invalid value(s) for: max_physical_memory", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1/8")]
    [InlineData("10.0.0.255/24")]
    [InlineData("10.0.0.0/24")]
    [InlineData("255.255.255.255/32")]
    [InlineData("224.0.0.5/24")]
    [InlineData("0.0.0.0/8")]
    [InlineData("240.0.0.1/8")]
    [InlineData("::1/128")]
    [InlineData("ff02::1/64")]
    [InlineData("::/0")]
    public void Nic_addresses_must_be_host_addresses(string ip)
    {
        var result = Create($"{{'image_uuid': '@img', 'nics': [{{'nic_tag': 'admin', 'ips': ['{ip}']}}]}}");
        Assert.Equal(["nics.0.ips.0"], result.BadValues);
        Assert.Equal("[\"nics.*.ips\"]", Compact(result.ToJson()["bad_values"]));
        var add = Update($"{{'add_nics': [{{'nic_tag': 'admin', 'ips': ['{ip}']}}]}}");
        Assert.Equal(["add_nics.0.ips.0"], add.BadValues);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("239.1.1.1")]
    public void The_single_ip_form_must_be_a_host_address_too(string ip)
    {
        var result = Create($"{{'image_uuid': '@img', 'nics': [{{'nic_tag': 'admin', 'ip': '{ip}', 'netmask': '255.255.255.0'}}]}}");
        Assert.Equal(["nics.0.ip"], result.BadValues);
    }

    [Theory]
    [InlineData("10.0.0.1/31")]
    [InlineData("10.0.0.5/32")]
    [InlineData("10.0.0.5/24")]
    [InlineData("2001:db8::5/64")]
    [InlineData("dhcp")]
    public void Ordinary_addresses_stay_valid(string ip) =>
        Assert.True(Create($"{{'image_uuid': '@img', 'nics': [{{'nic_tag': 'admin', 'ips': ['{ip}']}}]}}").IsValid);

    [Theory]
    [InlineData("ff:ff:ff:ff:ff:ff")]
    [InlineData("01:00:5e:00:00:01")]
    [InlineData("0:0:0:0:0:0")]
    public void Multicast_broadcast_and_zero_macs_are_refused_alike_in_create_and_add_nics(string mac)
    {
        Assert.Equal(["nics.0.mac"], Create($"{{'image_uuid': '@img', 'nics': [{{'nic_tag': 'a', 'mac': '{mac}'}}]}}").BadValues);
        Assert.Equal(["add_nics.0.mac"], Update($"{{'add_nics': [{{'nic_tag': 'a', 'mac': '{mac}'}}]}}").BadValues);
    }

    [Fact]
    public void Validate_prints_all_three_arrays_with_smartos_names()
    {
        var result = Create("""
            {'image_uuid': '@img', 'bogus': 1, 'fs_allowed': ['ufs', 'BAD'], 'customer_metadata': {'k': {'nested': 1}},
             'nics': [{'nic_tag': 'a', 'mtu': 100}, {'nic_tag': 'b', 'mtu': 10000, 'model': 'virtio'}]}
            """);
        Assert.Equal(
            "{\"bad_values\":[\"fs_allowed\",\"customer_metadata\",\"nics.*.mtu\"],\"bad_properties\":[\"bogus\",\"nics.*.model\"],\"missing_properties\":[]}",
            Compact(result.ToJson()));
        Assert.Equal("{\"bad_values\":[],\"bad_properties\":[],\"missing_properties\":[]}", Compact(Create("{'image_uuid': '@img'}").ToJson()));
        Assert.Equal("{\"bad_brand\":\"sngl\"}", Compact(Create("{'brand': 'sngl', 'ram': -1}").ToJson()));
        Assert.Equal("{\"bad_values\":[],\"bad_properties\":[],\"missing_properties\":[\"nics.*.nic_tag\"]}",
            Compact(Update("{'update_nics': [{'mac': '90:b8:d0:c0:ff:ee'}], 'add_nics': [{'ips': ['dhcp']}]}").ToJson()));
    }

    [Fact]
    public void Validate_checks_the_pool_and_the_image_against_the_node()
    {
        var node = new VmValidationContext(pool => pool == "zones", (image, brand) => image == ImageUuid ? null : $"image {image} is not installed");
        Assert.True(Create("{'image_uuid': '@img', 'zpool': 'zones'}", node).IsValid);
        var result = Create("{'image_uuid': '930896af-bf8c-48d4-885c-6573a94b1853', 'zpool': 'tank'}", node);
        Assert.Equal("[\"zpool\",\"image_uuid\"]", Compact(result.ToJson()["bad_values"]));
        Assert.Equal(["zpool", "image_uuid"], result.BadValues);
    }

    [Fact]
    public void Create_fails_with_smartos_wording_and_the_reasons()
    {
        var result = Create("{'image_uuid': '@img', 'alias': 'a\\nb', 'nics': [{'nic_tag': 'a', 'mtu': 100}]}");
        Assert.Equal(
            "Invalid value(s) for: alias,nics.*.mtu\n  alias: must be 1 to 512 characters without control characters\n" +
            "  nics.0.mtu: must be an integer from 576 to 9000",
            result.FailureMessage);
        Assert.Equal("Missing required properties: image_uuid\n  image_uuid: required", Create("{}").FailureMessage);
        Assert.Equal("Invalid brand while validating payload: \"sngl\"", Create("{'brand': 'sngl'}").FailureMessage);
    }

    [Fact]
    public void Unknown_and_unchangeable_properties_are_dropped_with_a_warning_not_fatal()
    {
        var payload = J("{'image_uuid': '@img', 'bogus': 1, 'state': 'running', 'nics': [{'nic_tag': 'a', 'model': 'virtio', 'mtu': 1500}]}"
            .Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmValidator.Validate(payload, VmAction.Create);
        Assert.False(result.IsFatal);
        Assert.Equal(
            [
                "Warning, invalid create property: [bogus] removing from payload (unknown property).",
                "Warning, invalid create property: [state] removing from payload (read-only).",
                "Warning, invalid create property: [nics.0.model] removing from payload (not allowed for joyent VMs).",
            ],
            result.Warnings);
        var cleaned = result.WithoutDroppedProperties(payload);
        Assert.Equal("{\"nic_tag\":\"a\",\"mtu\":1500}", Compact(cleaned["nics"]![0]));
        Assert.False(cleaned.ContainsKey("bogus") || cleaned.ContainsKey("state"));
        Assert.True(VmValidator.Validate(cleaned, VmAction.Create).IsValid);

        var update = J("{'uuid': '@img', 'brand': 'lx', 'zonename': 'z', 'alias': 'kept', 'add_nics': [{'nic_tag': 'a', 'allow_unfiltered_promisc': true}]}");
        var checkedUpdate = VmValidator.Validate(update, VmAction.Update, "joyent");
        Assert.False(checkedUpdate.IsFatal);
        Assert.Equal("{\"alias\":\"kept\",\"add_nics\":[{\"nic_tag\":\"a\"}]}", Compact(checkedUpdate.WithoutDroppedProperties(update)));
    }

    [Fact]
    public void Alias_blank_and_free_form_billing_id_are_accepted()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img', 'alias': 'web'}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, J("{'alias': '', 'billing_id': 'invoice 42'}"));
        Assert.False(result.Vm.ContainsKey("alias"));
        Assert.Equal("\"invoice 42\"", Compact(result.Vm["billing_id"]));
        Assert.False(VmTestData.Create("{'image_uuid': '@img', 'alias': ''}".Replace("@img", ImageUuid, StringComparison.Ordinal)).ContainsKey("alias"));
        Assert.Equal("\"x\"", Compact(VmPayload.FromKeyValues(["billing_id=x"])["billing_id"]));
    }

    [Fact]
    public void Quota_0_stays_0_meaning_no_quota()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img'}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, VmPayload.FromKeyValues(["quota=0"]));
        Assert.Equal("0", Compact(result.Vm["quota"]));
        Assert.Equal(["quota"], result.LivePaths);
    }

    [Theory]
    // old VM: max_physical_memory 1024, max_swap 2048, max_locked_memory 512, tmpfs 256
    [InlineData("{'ram': 2048}", "2048 1536 3072 512")]
    [InlineData("{'max_physical_memory': 512}", "512 0 1536 128")]
    [InlineData("{'max_physical_memory': 4096, 'max_swap': 1024}", "4096 3584 4096 1024")]
    [InlineData("{'max_physical_memory': 4096, 'tmpfs': 8192}", "4096 3584 5120 4096")]
    public void Memory_changes_move_the_derived_limits_as_vmjs_does(string update, string expected)
    {
        var vm = VmTestData.Create("{'image_uuid': '@img', 'ram': 1024, 'max_swap': 2048, 'max_locked_memory': 512, 'tmpfs': 256}"
            .Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, J(update));
        Assert.Equal(expected, string.Join(' ', new[] { "max_physical_memory", "max_locked_memory", "max_swap", "tmpfs" }.Select(k => Compact(result.Vm[k]))));
    }

    [Fact]
    public void A_max_swap_at_the_old_256_floor_follows_max_physical_memory()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img', 'ram': 128}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        Assert.Equal("256", Compact(vm["max_swap"]));
        var result = VmUpdater.Apply(vm, J("{'ram': 1024}"));
        Assert.Equal("1024", Compact(result.Vm["max_swap"]));
    }

    [Fact]
    public void The_first_nic_added_to_a_vm_without_nics_becomes_primary()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img'}".Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, J("{'add_nics': [{'nic_tag': 'a', 'ips': ['dhcp']}, {'nic_tag': 'b', 'ips': ['dhcp']}]}"), CountingBytes());
        Assert.Equal("true", Compact(result.Vm["nics"]![0]!["primary"]));
        Assert.Null(result.Vm["nics"]![1]!["primary"]);
    }

    [Fact]
    public void Removing_the_primary_moves_it_to_the_first_nic_with_a_public_address()
    {
        var vm = VmTestData.Create("""
            {'image_uuid': '@img', 'nics': [
              {'nic_tag': 'a', 'mac': '90:b8:d0:00:00:01', 'ips': ['203.0.113.5/24'], 'primary': true},
              {'nic_tag': 'b', 'mac': '90:b8:d0:00:00:02', 'ips': ['10.0.0.5/24']},
              {'nic_tag': 'c', 'mac': '90:b8:d0:00:00:03', 'ips': ['198.51.100.5/24']}]}
            """.Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, J("{'remove_nics': ['90:b8:d0:00:00:01']}"));
        var nics = (JsonArray)result.Vm["nics"]!;
        Assert.Equal(["90:b8:d0:00:00:03"], nics.Where(n => n!["primary"] is not null).Select(n => n!["mac"]!.GetValue<string>()));
        var privateOnly = VmUpdater.Apply(result.Vm, J("{'remove_nics': ['90:b8:d0:00:00:03']}"));
        Assert.Equal("true", Compact(privateOnly.Vm["nics"]![0]!["primary"]));
    }

    [Fact]
    public void Update_nics_with_empty_ips_removes_the_addresses()
    {
        var vm = VmTestData.Create("{'image_uuid': '@img', 'nics': [{'nic_tag': 'a', 'mac': '90:b8:d0:00:00:01', 'ips': ['10.0.0.5/24']}]}"
            .Replace("@img", ImageUuid, StringComparison.Ordinal));
        var result = VmUpdater.Apply(vm, J("{'update_nics': [{'mac': '90:b8:d0:00:00:01', 'ips': []}]}"));
        var nic = result.Vm["nics"]![0]!.AsObject();
        Assert.False(nic.ContainsKey("ip") || nic.ContainsKey("ips") || nic.ContainsKey("netmask"));
    }

    [Fact]
    public void Nics_may_not_take_another_vms_mac_or_its_ip_on_the_same_tag_and_vlan()
    {
        var other = J("{'uuid': '930896af-bf8c-48d4-885c-6573a94b1853', 'nics': [{'nic_tag': 'ext', 'vlan_id': 5, 'mac': '90:b8:d0:00:00:01', 'ips': ['10.0.0.5/24']}]}");
        VmNic(other, "{'nic_tag': 'ext', 'mac': '90:B8:D0:0:0:1', 'ips': ['dhcp']}", "already has MAC 90:b8:d0:00:00:01");
        VmNic(other, "{'nic_tag': 'ext', 'vlan_id': 5, 'ips': ['10.0.0.5/16']}", "already has IP 10.0.0.5 on nic tag ext (VLAN 5)");
        VmNic(other, "{'nic_tag': 'ext', 'vlan_id': 6, 'ips': ['10.0.0.5/24']}", null);
        VmNic(other, "{'nic_tag': 'int', 'vlan_id': 5, 'ips': ['10.0.0.5/24']}", null);
        VmNic(other, "{'nic_tag': 'ext', 'ips': ['dhcp']}", null);

        var twice = J("{'uuid': '" + Uuid + "', 'nics': [{'nic_tag': 'a', 'ips': ['10.1.0.5/24']}, {'nic_tag': 'b', 'ips': ['10.1.0.5/24']}]}");
        Assert.Equal("Cannot add multiple NICs with the same IP: 10.1.0.5",
            Assert.Throws<SolsticeException>(() => VmNicConflicts.Check(twice, null, [])).Message);
        var sameMac = J("{'uuid': '" + Uuid + "', 'nics': [{'nic_tag': 'a', 'mac': '90:b8:d0:00:00:09'}, {'nic_tag': 'b', 'mac': '90:b8:d0:0:0:9'}]}");
        Assert.Equal("Cannot add multiple NICs with the same MAC: 90:b8:d0:00:00:09",
            Assert.Throws<SolsticeException>(() => VmNicConflicts.Check(sameMac, null, [])).Message);
    }

    [Fact]
    public void An_update_is_not_blamed_for_conflicts_it_did_not_add()
    {
        var other = J("{'uuid': '930896af-bf8c-48d4-885c-6573a94b1853', 'nics': [{'nic_tag': 'ext', 'mac': '90:b8:d0:00:00:01', 'ips': ['10.0.0.5/24']}]}");
        var before = J("{'uuid': '" + Uuid + "', 'nics': [{'nic_tag': 'ext', 'mac': '90:b8:d0:00:00:02', 'ips': ['10.0.0.5/24']}]}");
        var after = J("{'uuid': '" + Uuid + "', 'alias': 'x', 'nics': [{'nic_tag': 'ext', 'mac': '90:b8:d0:00:00:02', 'ips': ['10.0.0.5/24'], 'mtu': 1500}]}");
        VmNicConflicts.Check(after, before, [other]);
    }

    private static void VmNic(JsonObject other, string nic, string? conflict)
    {
        var vm = J("{'uuid': '" + Uuid + "', 'nics': [" + nic + "]}");
        if (conflict is null)
        {
            VmNicConflicts.Check(vm, null, [other]);
            return;
        }
        var ex = Assert.Throws<SolsticeException>(() => VmNicConflicts.Check(vm, null, [other]));
        Assert.Equal(ErrorCode.Conflict, ex.Code);
        Assert.Equal("Conflict detected with another vm, please check the MAC, IP, and VRID: VM 930896af-bf8c-48d4-885c-6573a94b1853 " + conflict, ex.Message);
    }

    [Theory]
    [InlineData("{\"alias\":\"a\",\"alias\":\"b\"}", "Invalid JSON payload at line 1, column 14: the key \"alias\" appears twice in one object")]
    [InlineData("{\"alias\":\"\\ud800\"}", "Invalid JSON payload at line 1, column 10: a string is not valid Unicode (it holds a lone UTF-16 surrogate escape)")]
    [InlineData("{\"\\udc00\":1}", "Invalid JSON payload at line 1, column 2: a key is not valid Unicode (it holds a lone UTF-16 surrogate escape)")]
    [InlineData("{\"a\":\n x}", "Invalid JSON payload: malformed JSON at line 2, column 2")]
    [InlineData("", "Invalid JSON payload: the document is empty")]
    [InlineData("[1]", "Invalid JSON payload: not an object")]
    public void Payload_text_is_read_strictly_with_sentences(string text, string message)
    {
        var ex = Assert.Throws<SolsticeException>(() => StrictJson.ParseObject(text, "payload"));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void A_payload_with_a_repeated_key_from_the_wire_is_refused_by_validation()
    {
        var lazy = (JsonObject)JsonNode.Parse("{\"alias\":\"a\",\"alias\":\"b\"}")!;
        var ex = Assert.Throws<SolsticeException>(() => VmValidator.Validate(lazy, VmAction.Create));
        Assert.Equal("Invalid JSON payload: an object repeats a key", ex.Message);
        var surrogate = (JsonObject)JsonNode.Parse("{\"alias\":\"\\ud800\"}")!;
        Assert.StartsWith("Invalid JSON payload: a string is not valid Unicode",
            Assert.Throws<SolsticeException>(() => VmValidator.Validate(surrogate, VmAction.Create)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_from_the_wire_is_read_fully_once_with_the_strict_readers_sentences()
    {
        var nested = (JsonObject)JsonNode.Parse("{\"tags\":{\"a\":[\"x\",{\"k\":1,\"k\":2}]}}")!;
        var ex = Assert.Throws<SolsticeException>(() => StrictJson.EnsureReadable(nested, "manifest"));
        Assert.Equal((ErrorCode.InvalidArgument, "Invalid JSON manifest: an object repeats a key"), (ex.Code, ex.Message));
        var deep = (JsonObject)JsonNode.Parse("{\"a\":[[\"\\udc00\"]]}")!;
        Assert.Equal("Invalid JSON payload: a string is not valid Unicode (it holds a lone UTF-16 surrogate escape)",
            Assert.Throws<SolsticeException>(() => StrictJson.EnsureReadable(deep, "payload")).Message);
        StrictJson.EnsureReadable(JsonNode.Parse("{\"a\":[1,\"b\",{\"c\":null}]}"), "payload");
    }

    [Fact]
    public void A_reply_carries_warnings_beside_its_result_or_error()
    {
        var success = NodeProtocol.Success(new JsonObject { ["uuid"] = Uuid });
        Assert.Empty(NodeProtocol.Warnings(success));
        NodeProtocol.AddWarnings(success, ["one", "two"]);
        var read = (JsonObject)JsonNode.Parse(NodeProtocol.Serialize(success))!;
        Assert.Equal(["one", "two"], NodeProtocol.Warnings(read));
        Assert.Equal(Uuid, NodeProtocol.Unwrap(read)!["uuid"]!.GetValue<string>());
        var failure = NodeProtocol.Failure(ErrorCode.InvalidArgument, "bad");
        NodeProtocol.AddWarnings(failure, ["dropped"]);
        Assert.Equal(["dropped"], NodeProtocol.Warnings(failure));
        Assert.Equal("bad", Assert.Throws<SolsticeException>(() => NodeProtocol.Unwrap(failure)).Message);
    }
}
