using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmListingTests
{
    private const string Os = "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0";
    private const string Lx = "0b6ea7e4-0d04-4c06-a2f5-2a3b8f0a7f01";
    private const string Kvm = "a1b2c3d4-0000-4000-8000-000000000003";
    private const string Bhyve = "f0f0f0f0-1111-2222-3333-444444444444";

    private static List<JsonObject> Fleet() =>
    [
        J($$"""
            {'uuid': '{{Os}}', 'alias': 'zone70', 'brand': 'joyent', 'type': 'OS', 'hvm': false, 'max_physical_memory': 256,
             'state': 'running', 'autoboot': true, 'quota': 10, 'resolvers': ['8.8.8.8', '8.8.4.4'],
             'tags': {'role': 'web', 'dotted.key': 'x'}, 'customer_metadata': {'user-script': '#!/bin/sh'},
             'routes': {'10.0.0.0/8': '10.1.1.1'},
             'nics': [{'interface': 'net0', 'mac': '90:b8:d0:c0:ff:ee', 'nic_tag': 'external', 'ip': '10.1.1.5', 'ips': ['10.1.1.5/24'], 'primary': true}]}
            """),
        J($$"""
            {'uuid': '{{Lx}}', 'alias': 'docker-app-with-a-very-long-alias', 'brand': 'lx', 'type': 'LX', 'hvm': false,
             'max_physical_memory': 1024, 'state': 'stopped', 'autoboot': false, 'quota': 9, 'tags': {'role': 'db'},
             'nics': [{'interface': 'net0', 'mac': '02:08:20:aa:bb:cc', 'nic_tag': 'external', 'ip': '10.1.1.6', 'vlan_id': 10}]}
            """),
        J($$"""
            {'uuid': '{{Kvm}}', 'brand': 'kvm', 'type': 'KVM', 'hvm': true, 'ram': 2048, 'max_physical_memory': 3072,
             'state': 'running', 'quota': 100, 'nics': [{'interface': 'net0', 'mac': '90:b8:d0:11:22:33', 'nic_tag': 'admin', 'ip': 'dhcp'}]}
            """),
        J($$"""
            {'uuid': '{{Bhyve}}', 'alias': 'b', 'brand': 'bhyve', 'hvm': true, 'ram': 512, 'max_physical_memory': 1792,
             'state': 'provisioning', 'nics': []}
            """),
    ];

    private static string List(VmListOptions options) => VmListing.List(Fleet(), options);

    private static string Lookup(VmLookupOptions options) => VmListing.Lookup(Fleet(), options);

    [Fact]
    public void Default_list_matches_vmadm()
    {
        Assert.Equal(
            "UUID                                  TYPE  RAM      STATE             ALIAS\n" +
            "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0  OS    256      running           zone70\n" +
            "f0f0f0f0-1111-2222-3333-444444444444  BHYV  512      provisioning      b\n" +
            "0b6ea7e4-0d04-4c06-a2f5-2a3b8f0a7f01  LX    1024     stopped           docker-app-with-a-very-long-alias\n" +
            "a1b2c3d4-0000-4000-8000-000000000003  KVM   2048     running           -\n",
            List(new VmListOptions()));
    }

    [Fact]
    public void No_header()
    {
        string text = List(new VmListOptions { NoHeader = true });
        Assert.StartsWith("54f1cc77-68f1-42ab-acac-5c4f64f5d6e0  OS    256", text, StringComparison.Ordinal);
        Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Parsable_output_joins_with_colons_without_header()
    {
        Assert.Equal(
            "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0:OS:256:running:zone70\n" +
            "f0f0f0f0-1111-2222-3333-444444444444:BHYV:512:provisioning:b\n" +
            "0b6ea7e4-0d04-4c06-a2f5-2a3b8f0a7f01:LX:1024:stopped:docker-app-with-a-very-long-alias\n" +
            "a1b2c3d4-0000-4000-8000-000000000003:KVM:2048:running:\n",
            List(new VmListOptions { Parsable = true }));
        Assert.StartsWith("UUID:TYPE:RAM:STATE:ALIAS\n54f1cc77", List(new VmListOptions { Parsable = true, ForceHeader = true }), StringComparison.Ordinal);
    }

    [Fact]
    public void Flattened_columns_are_20_wide_with_uppercase_headers()
    {
        Assert.Equal(
            "UUID                                  ALIAS       NICS.0.IP             TAGS.ROLE\n" +
            "f0f0f0f0-1111-2222-3333-444444444444  b           -                     -\n" +
            "0b6ea7e4-0d04-4c06-a2f5-2a3b8f0a7f01  docker-app-with-a-very-long-alias  10.1.1.6              db\n" +
            "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0  zone70      10.1.1.5              web\n" +
            "a1b2c3d4-0000-4000-8000-000000000003  -           dhcp                  -\n",
            List(new VmListOptions { Columns = ["uuid", "alias", "nics.0.ip", "tags.role"], Sort = ["alias"] }));
    }

    [Theory]
    [InlineData("-ram", "a1b2c3d4 0b6ea7e4 f0f0f0f0 54f1cc77")]
    [InlineData("+ram", "54f1cc77 f0f0f0f0 0b6ea7e4 a1b2c3d4")]
    [InlineData("state,-ram", "f0f0f0f0 a1b2c3d4 54f1cc77 0b6ea7e4")]
    [InlineData("quota", "0b6ea7e4 54f1cc77 a1b2c3d4 f0f0f0f0")] // numeric, not lexicographic; missing last
    [InlineData("-quota", "a1b2c3d4 54f1cc77 0b6ea7e4 f0f0f0f0")] // missing stays last when descending
    [InlineData("alias", "f0f0f0f0 0b6ea7e4 54f1cc77 a1b2c3d4")]
    [InlineData("-alias", "54f1cc77 0b6ea7e4 f0f0f0f0 a1b2c3d4")]
    [InlineData("type", "f0f0f0f0 a1b2c3d4 0b6ea7e4 54f1cc77")]
    [InlineData("autoboot,uuid", "0b6ea7e4 54f1cc77 a1b2c3d4 f0f0f0f0")]
    [InlineData("nics.0.vlan_id,uuid", "0b6ea7e4 54f1cc77 a1b2c3d4 f0f0f0f0")]
    [InlineData("tags.role", "0b6ea7e4 54f1cc77 a1b2c3d4 f0f0f0f0")]
    public void Sort_keys(string sort, string expected)
    {
        var sorted = VmListing.Sort(Fleet(), VmListing.SplitFields(sort));
        Assert.Equal(expected, string.Join(" ", sorted.Select(vm => VmJson.AsString(vm["uuid"])![..8])));
    }

    [Fact]
    public void Javascript_comparison_of_mixed_values()
    {
        // JS: '10' vs 9 compares numerically; 'B' < 'a' by code unit; 'a' vs 9 is NaN (neither smaller).
        Assert.Equal(-1, Compare("'B'", "'a'"));
        Assert.Equal(1, Compare("'10'", "9"));
        Assert.Equal(-1, Compare("true", "2"));
        Assert.Equal(0, Compare("'a'", "9"));
        Assert.Equal(1, Compare("'b'", "'a'"));
        Assert.Equal(-1, Compare("'10'", "'9'"));
    }

    private static int Compare(string a, string b)
    {
        var vms = VmListing.Sort([J($"{{'uuid': 'x', 'alias': {b}}}"), J($"{{'uuid': 'y', 'alias': {a}}}")], ["alias"]);
        bool aFirst = VmJson.AsString(vms[0]["uuid"]) == "y";
        var reversed = VmListing.Sort([J($"{{'uuid': 'y', 'alias': {a}}}"), J($"{{'uuid': 'x', 'alias': {b}}}")], ["alias"]);
        bool bFirst = VmJson.AsString(reversed[0]["uuid"]) == "x";
        return aFirst && !bFirst ? -1 : bFirst && !aFirst ? 1 : 0;
    }

    [Theory]
    [InlineData("state=running", "54f1cc77 a1b2c3d4")]
    [InlineData("state=running type=KVM", "a1b2c3d4")]
    [InlineData("alias=~ZONE", "54f1cc77")]
    [InlineData("alias=~^d.*alias$", "0b6ea7e4")]
    [InlineData("alias=zone", "")]
    [InlineData("type=LX", "0b6ea7e4")]
    [InlineData("type=BHYVE", "f0f0f0f0")]
    [InlineData("ram=256", "54f1cc77")]
    [InlineData("ram=2048", "a1b2c3d4")]
    [InlineData("ram=~^(256|512)$", "54f1cc77 f0f0f0f0")]
    [InlineData("hvm=true", "a1b2c3d4 f0f0f0f0")]
    [InlineData("autoboot=false", "0b6ea7e4")]
    [InlineData("brand=kvm", "a1b2c3d4")]
    [InlineData("uuid=~^A1", "a1b2c3d4")]
    [InlineData("nics.*.ip=10.1.1.6", "0b6ea7e4")]
    [InlineData("nics.*.ip=~^10\\.1\\.1", "54f1cc77 0b6ea7e4")]
    [InlineData("nics.0.ip=dhcp", "a1b2c3d4")]
    [InlineData("nics.*.nic_tag=external", "54f1cc77 0b6ea7e4")]
    [InlineData("nics.*.mac=2:8:20:AA:BB:CC", "0b6ea7e4")]
    [InlineData("nics.0.mac=90:B8:D0:C0:FF:EE", "54f1cc77")]
    [InlineData("nics.*.mac=~^90:b8", "54f1cc77 a1b2c3d4")]
    [InlineData("nics.*.vlan_id=10", "0b6ea7e4")]
    [InlineData("nics.1.ip=10.1.1.5", "")]
    [InlineData("tags.role=db", "0b6ea7e4")]
    [InlineData("tags.dotted.key=x", "54f1cc77")]
    [InlineData("tags.role=~.", "54f1cc77 0b6ea7e4")]
    [InlineData("customer_metadata.user-script=~bin", "54f1cc77")]
    [InlineData("quota=10", "54f1cc77")]
    [InlineData("alias=", "")]
    public void Lookup_filters(string filters, string expected)
    {
        string text = Lookup(new VmLookupOptions { Filters = filters.Split(' ') });
        Assert.Equal(expected, string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(u => u[..8])));
    }

    [Fact]
    public void Lookup_without_filters_prints_every_uuid_in_order()
    {
        Assert.Equal($"{Os}\n{Lx}\n{Kvm}\n{Bhyve}\n", Lookup(new VmLookupOptions()));
    }

    [Theory]
    [InlineData("foo=1", "foo")]
    [InlineData("routes.10.0.0.0/8=x", "routes.10.0.0.0/8")]
    [InlineData("nics.0.ips=x", "nics.0.ips")]
    [InlineData("nics.x.ip=1", "nics.x.ip")]
    [InlineData("resolvers.0=8.8.8.8", "resolvers.0")]
    [InlineData("disks.*.path=x", "disks.*.path")]
    [InlineData("noequals", "noequals")]
    [InlineData("tags=x", "tags")]
    public void Invalid_filter_keys(string filter, string key)
    {
        var list = Assert.Throws<SolsticeException>(() => List(new VmListOptions { Filters = [filter] }));
        Assert.Equal($"Invalid filter key: \"{key}\"", list.Message);
        var lookup = Assert.Throws<SolsticeException>(() => Lookup(new VmLookupOptions { Filters = [filter] }));
        Assert.Equal($"Invalid lookup key: \"{key}\"", lookup.Message);
        Assert.Equal(ErrorCode.InvalidArgument, lookup.Code);
    }

    [Theory]
    [InlineData("uuid")]
    [InlineData("zonepath")]
    [InlineData("disks.*.image_uuid")]
    [InlineData("disks.0.boot")]
    [InlineData("nics.*.dhcp_server")]
    [InlineData("internal_metadata.root_pw")]
    public void Valid_filter_keys(string key) => Assert.True(VmListing.IsValidFilterKey(key));

    [Fact]
    public void Bad_regex_is_an_error()
    {
        var ex = Assert.Throws<SolsticeException>(() => Lookup(new VmLookupOptions { Filters = ["alias=~("] }));
        Assert.StartsWith("Invalid regular expression for \"alias\": ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nics.*.ip", "invalid order field: nics.*.ip")]
    [InlineData("bogus", "invalid order field: bogus")]
    [InlineData("resolvers", "invalid order field: resolvers")]
    public void Invalid_columns(string column, string message)
    {
        var ex = Assert.Throws<SolsticeException>(() => List(new VmListOptions { Columns = ["uuid", column] }));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Invalid_sort_key()
    {
        var ex = Assert.Throws<SolsticeException>(() => List(new VmListOptions { Sort = ["-bogus"] }));
        Assert.Equal("invalid sort field: -bogus", ex.Message);
    }

    [Fact]
    public void Other_value_types_render_as_javascript_strings()
    {
        Assert.Equal(
            "AUTOBOOT  ROUTES.10.0.0.0/8     CUSTOMER_METADATA.USER-SCRIPT  HVM    ZONEID\n" +
            "true      10.1.1.1              #!/bin/sh             false  -\n",
            VmListing.List([Fleet()[0]], new VmListOptions { Columns = ["autoboot", "routes.10.0.0.0/8", "customer_metadata.user-script", "hvm", "zoneid"] }));
    }

    [Fact]
    public void Lookup_json_prints_full_objects()
    {
        var vm = J("{'uuid': 'u1', 'alias': 'a', 'nics': [{'ip': '10.0.0.1'}], 'tags': {}}");
        Assert.Equal("""
            [
              {
                "uuid": "u1",
                "alias": "a",
                "nics": [
                  {
                    "ip": "10.0.0.1"
                  }
                ],
                "tags": {}
              }
            ]

            """, VmListing.Lookup([vm], new VmLookupOptions { Json = true }));
        Assert.Equal("[]\n", VmListing.Lookup([vm], new VmLookupOptions { Json = true, Filters = ["alias=b"] }));
    }

    [Fact]
    public void Lookup_json_with_fields_keeps_the_listed_keys()
    {
        Assert.Equal(
            "[\n  {\n    \"alias\": \"zone70\",\n    \"uuid\": \"54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\",\n    \"ram\": 256,\n    \"nics.0.ip\": \"10.1.1.5\"\n  }\n]\n",
            Lookup(new VmLookupOptions { Json = true, Fields = ["alias", "uuid", "missing", "ram", "nics.0.ip"], Filters = ["alias=zone70"] }));
    }

    [Fact]
    public void Unique_lookup_needs_exactly_one_match()
    {
        Assert.Equal($"{Lx}\n", Lookup(new VmLookupOptions { Unique = true, Filters = ["type=LX"] }));
        var many = Assert.Throws<SolsticeException>(() => Lookup(new VmLookupOptions { Unique = true, Filters = ["state=running"] }));
        Assert.Equal("Requested unique lookup but found 2 results.", many.Message);
        var none = Assert.Throws<SolsticeException>(() => Lookup(new VmLookupOptions { Unique = true, Json = true, Filters = ["alias=nope"] }));
        Assert.Equal("Requested unique lookup but found 0 results.", none.Message);
    }

    [Fact]
    public void Fields_need_json()
    {
        var ex = Assert.Throws<SolsticeException>(() => Lookup(new VmLookupOptions { Fields = ["uuid"] }));
        Assert.Equal("Cannot specify -o without -j", ex.Message);
    }

    [Fact]
    public void Flatten_expands_one_level()
    {
        Assert.Equal(
            "{\"uuid\":\"54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\",\"alias\":\"zone70\",\"brand\":\"joyent\",\"type\":\"OS\",\"hvm\":false," +
            "\"max_physical_memory\":256,\"state\":\"running\",\"autoboot\":true,\"quota\":10," +
            "\"resolvers.0\":\"8.8.8.8\",\"resolvers.1\":\"8.8.4.4\",\"tags.role\":\"web\",\"tags.dotted.key\":\"x\"," +
            "\"customer_metadata.user-script\":\"#!/bin/sh\",\"routes.10.0.0.0/8\":\"10.1.1.1\"," +
            "\"nics.0.interface\":\"net0\",\"nics.0.mac\":\"90:b8:d0:c0:ff:ee\",\"nics.0.nic_tag\":\"external\"," +
            "\"nics.0.ip\":\"10.1.1.5\",\"nics.0.ips\":[\"10.1.1.5/24\"],\"nics.0.primary\":true}",
            Compact(VmListing.Flatten(Fleet()[0])));
    }

    [Theory]
    [InlineData("type", "\"OS\"")]
    [InlineData("ram", "256")]
    [InlineData("resolvers.1", "\"8.8.4.4\"")]
    [InlineData("resolvers.2", null)]
    [InlineData("nics.0.ips", "[\"10.1.1.5/24\"]")]
    [InlineData("nics.0", "{\"interface\":\"net0\",\"mac\":\"90:b8:d0:c0:ff:ee\",\"nic_tag\":\"external\",\"ip\":\"10.1.1.5\",\"ips\":[\"10.1.1.5/24\"],\"primary\":true}")]
    [InlineData("tags.dotted.key", "\"x\"")]
    [InlineData("tags.none", null)]
    [InlineData("alias.x", null)]
    [InlineData("nics.-1.ip", null)]
    public void Resolve_keys(string key, string? expected) =>
        Assert.Equal(expected, VmListing.Resolve(Fleet()[0], key) is { } value ? Compact(value) : null);

    [Fact]
    public void Type_is_derived_from_brand_when_absent()
    {
        Assert.Equal("\"BHYVE\"", Compact(VmListing.Resolve(Fleet()[3], "type")));
        Assert.Equal("\"OS\"", Compact(VmListing.Resolve(J("{'uuid': 'x'}"), "type")));
    }

    [Fact]
    public void Listing_a_thousand_vms_is_fast()
    {
        var vms = new List<JsonObject>();
        for (int i = 0; i < 1000; i++)
        {
            var vm = Create("{'image_uuid': '" + ImageUuid + "', 'alias': 'vm" + i.ToString(CultureInfo.InvariantCulture) +
                "', 'ram': " + (128 * (1 + (i % 16))).ToString(CultureInfo.InvariantCulture) +
                ", 'tags': {'role': 'r" + (i % 7).ToString(CultureInfo.InvariantCulture) + "'}, 'nics': [{'nic_tag': 'external', 'ips': ['10.0." +
                (i / 250).ToString(CultureInfo.InvariantCulture) + "." + (1 + (i % 250)).ToString(CultureInfo.InvariantCulture) + "/16']}]}");
            vm["uuid"] = Guid.NewGuid().ToString();
            vms.Add(vm);
        }
        VmListing.List(vms, new VmListOptions());
        var watch = Stopwatch.StartNew();
        for (int round = 0; round < 5; round++)
        {
            string all = VmListing.List(vms, new VmListOptions());
            Assert.Equal(1001, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            string filtered = VmListing.List(vms, new VmListOptions
            {
                Columns = ["uuid", "alias", "nics.0.ip", "tags.role"],
                Sort = ["-ram", "alias"],
                Filters = ["alias=~^vm1", "nics.*.ip=~^10\\.0\\.", "tags.role=~r[0-3]"],
            });
            int expected = Enumerable.Range(0, 1000).Count(i => i.ToString(CultureInfo.InvariantCulture).StartsWith('1') && i % 7 <= 3);
            Assert.Equal(expected + 1, filtered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"5 rounds took {watch.Elapsed}");
    }
}
