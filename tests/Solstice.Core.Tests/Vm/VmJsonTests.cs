using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmJsonTests
{
    [Theory]
    [InlineData("'abc'", "abc")]
    [InlineData("256", "256")]
    [InlineData("1.5", "1.5")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", "null")]
    [InlineData("['8.8.8.8','8.8.4.4']", "8.8.8.8,8.8.4.4")]
    [InlineData("[1,null,[2,3]]", "1,,2,3")]
    [InlineData("[]", "")]
    [InlineData("{'a':1}", "[object Object]")]
    public void JsString_follows_javascript_String(string json, string expected) =>
        Assert.Equal(expected, VmJson.JsString(JsonNode.Parse(json.Replace('\'', '"'))));

    [Fact]
    public void JsString_of_created_values()
    {
        Assert.Equal("42", VmJson.JsString(JsonValue.Create(42)));
        Assert.Equal("42", VmJson.JsString(JsonValue.Create(42L)));
        Assert.Equal("0.25", VmJson.JsString(JsonValue.Create(0.25)));
    }

    [Theory]
    [InlineData("256", true, 256L)]
    [InlineData("'256'", true, 256L)]
    [InlineData("'-1'", true, -1L)]
    [InlineData("1.5", false, 0L)]
    [InlineData("'1.5'", false, 0L)]
    [InlineData("'12abc'", false, 0L)]
    [InlineData("''", false, 0L)]
    [InlineData("true", false, 0L)]
    [InlineData("[1]", false, 0L)]
    public void TryGetInteger_accepts_numbers_and_integer_strings(string json, bool ok, long expected)
    {
        Assert.Equal(ok, VmJson.TryGetInteger(JsonNode.Parse(json.Replace('\'', '"')), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("true", true, true)]
    [InlineData("'false'", true, false)]
    [InlineData("'yes'", false, false)]
    [InlineData("1", false, false)]
    public void TryGetBoolean_accepts_booleans_and_their_strings(string json, bool ok, bool expected)
    {
        Assert.Equal(ok, VmJson.TryGetBoolean(JsonNode.Parse(json.Replace('\'', '"')), out bool value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("'a,b'", "[\"a\",\"b\"]")]
    [InlineData("''", "[]")]
    [InlineData("['a']", "[\"a\"]")]
    public void TryGetList_accepts_arrays_and_comma_strings(string json, string expected)
    {
        Assert.True(VmJson.TryGetList(JsonNode.Parse(json.Replace('\'', '"')), out var items));
        Assert.Equal(expected, Compact(new JsonArray([.. items.Select(i => i?.DeepClone())])));
    }

    [Fact]
    public void Stringify_indented_matches_JSON_stringify_with_two_spaces()
    {
        var node = J("{'a': [1, {'b': 'x<y>&'}], 'c': {}, 'd': [], 'e': 'ü'}");
        Assert.Equal("{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x<y>&\"\n    }\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": \"ü\"\n}",
            VmJson.Stringify(node, indented: true));
        Assert.Equal("{\"a\":[1,{\"b\":\"x<y>&\"}],\"c\":{},\"d\":[],\"e\":\"ü\"}", VmJson.Stringify(node));
    }

    [Fact]
    public void FormatTimestamp_is_toISOString() =>
        Assert.Equal("2024-05-01T12:30:45.123Z", VmJson.FormatTimestamp(Now.ToOffset(TimeSpan.FromHours(2))));

    [Fact]
    public void SortedCopy_orders_top_level_keys_only()
    {
        var sorted = VmJson.SortedCopy(J("{'b': 1, 'a': {'z': 1, 'y': 2}}"));
        Assert.Equal("{\"a\":{\"z\":1,\"y\":2},\"b\":1}", Compact(sorted));
    }
}
