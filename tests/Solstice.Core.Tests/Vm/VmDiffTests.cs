using Solstice.Core.Vm;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

public class VmDiffTests
{
    private static string Diff(string oldVm, string newVm) =>
        string.Join("; ", VmDiff.Compute(J(oldVm), J(newVm)).Select(c => Compact(c.ToJson())));

    [Theory]
    [InlineData("{'a': 1}", "{'a': 1}", "")]
    [InlineData("{'alias': 'a'}", "{'alias': 'b'}",
        "{'path':['alias'],'prettyPath':'alias','action':'changed','oldValue':'a','newValue':'b'}")]
    [InlineData("{}", "{'alias': 'b'}",
        "{'path':['alias'],'prettyPath':'alias','action':'added','newValue':'b'}")]
    [InlineData("{'alias': 'a'}", "{}",
        "{'path':['alias'],'prettyPath':'alias','action':'removed','oldValue':'a'}")]
    [InlineData("{'tags': {'a': 1, 'b': 2}}", "{'tags': {'b': 3, 'c': true}}",
        "{'path':['tags','a'],'prettyPath':'tags.a','action':'removed','oldValue':1}; " +
        "{'path':['tags','b'],'prettyPath':'tags.b','action':'changed','oldValue':2,'newValue':3}; " +
        "{'path':['tags','c'],'prettyPath':'tags.c','action':'added','newValue':true}")]
    [InlineData("{'resolvers': ['1.1.1.1']}", "{'resolvers': ['8.8.8.8', '1.1.1.1']}",
        "{'path':['resolvers',0],'prettyPath':'resolvers.0','action':'changed','oldValue':'1.1.1.1','newValue':'8.8.8.8'}; " +
        "{'path':['resolvers',1],'prettyPath':'resolvers.1','action':'added','newValue':'1.1.1.1'}")]
    [InlineData("{'ram': 1}", "{'ram': '1'}",
        "{'path':['ram'],'prettyPath':'ram','action':'changed','oldValue':1,'newValue':'1'}")]
    [InlineData("{'tags': {}}", "{'tags': []}",
        "{'path':['tags'],'prettyPath':'tags','action':'changed','oldValue':{},'newValue':[]}")]
    [InlineData("{'x': null}", "{'x': 1}",
        "{'path':['x'],'prettyPath':'x','action':'changed','oldValue':null,'newValue':1}")]
    public void Changes(string oldVm, string newVm, string expected) =>
        Assert.Equal(expected.Replace('\'', '"'), Diff(oldVm, newVm));

    [Fact]
    public void Nics_are_matched_by_mac()
    {
        const string before = "{'nics': [{'mac': 'a', 'ip': '1'}, {'mac': 'b', 'ip': '2'}, {'mac': 'c', 'ip': '3'}]}";
        const string after = "{'nics': [{'mac': 'b', 'ip': '2'}, {'mac': 'c', 'ip': '4'}, {'mac': 'd', 'ip': '5'}]}";
        Assert.Equal(
            "nics.0 removed; nics.1.ip changed; nics.2 added",
            string.Join("; ", VmDiff.Compute(J(before), J(after)).Select(c => $"{c.PrettyPath} {c.ActionName}")));
    }

    [Fact]
    public void Arrays_without_unique_keys_compare_by_index()
    {
        const string before = "{'nics': [{'ip': '1'}, {'ip': '2'}]}";
        const string after = "{'nics': [{'ip': '2'}]}";
        Assert.Equal(
            "nics.0.ip changed; nics.1 removed",
            string.Join("; ", VmDiff.Compute(J(before), J(after)).Select(c => $"{c.PrettyPath} {c.ActionName}")));
    }

    [Fact]
    public void Snapshots_are_matched_by_name()
    {
        const string before = "{'snapshots': [{'name': 'a', 'size': 1}, {'name': 'b', 'size': 1}]}";
        const string after = "{'snapshots': [{'name': 'b', 'size': 2}]}";
        Assert.Equal(
            "snapshots.0 removed; snapshots.0.size changed",
            string.Join("; ", VmDiff.Compute(J(before), J(after)).Select(c => $"{c.PrettyPath} {c.ActionName}")));
    }
}

public class VmEventFormatterTests
{
    private static readonly DateTimeOffset s_date = new(2024, 5, 1, 9, 5, 7, 42, TimeSpan.Zero);

    [Fact]
    public void Modify_event_lists_each_change()
    {
        var before = J($"{{'uuid': '{Uuid}', 'zonename': '{Uuid}', 'alias': 'web', 'cpu_cap': 100, 'tags': {{'a': 'x'}}}}");
        var after = J($"{{'uuid': '{Uuid}', 'zonename': '{Uuid}', 'alias': 'web', 'tags': {{'a': 'y', 'b': [1]}}, 'quota': 20}}");
        var vmEvent = VmEvent.Modified(before, after, s_date);
        Assert.Equal(
            "[09:05:07.042Z] 54f1cc77 web modify: cpu_cap removed :: 100 -> undefined: tags.a changed :: \"x\" -> \"y\"" +
            ": tags.b added :: undefined -> [1]: quota added :: undefined -> 20",
            VmEventFormatter.FormatText(vmEvent));
        Assert.Equal(
            $"[2024-05-01T09:05:07.042Z] {Uuid} web modify: cpu_cap removed :: 100 -> undefined: tags.a changed :: \"x\" -> \"y\"" +
            ": tags.b added :: undefined -> [1]: quota added :: undefined -> 20",
            VmEventFormatter.FormatText(vmEvent, full: true));
    }

    [Theory]
    [InlineData("create", "'alias': 'db'", "[09:05:07.042Z] 54f1cc77 db create")]
    [InlineData("create", "'alias': 'exactly-thirty-characters-long'", "[09:05:07.042Z] 54f1cc77 exactly-thirty-characters-long create")]
    [InlineData("create", "'alias': 'thirty-one-characters-long-alias'", "[09:05:07.042Z] 54f1cc77 thirty-one-characters-long-... create")]
    [InlineData("create", "'cpu_cap': 1", "[09:05:07.042Z] 54f1cc77 - create")]
    public void Alias_is_shown_truncated(string type, string vm, string expected)
    {
        var vmEvent = new VmEvent(type, s_date, Uuid, Uuid) { Vm = J("{" + vm + "}") };
        Assert.Equal(expected, VmEventFormatter.FormatText(vmEvent));
    }

    [Fact]
    public void Delete_and_ready_events()
    {
        Assert.Equal("[09:05:07.042Z] 54f1cc77 - delete", VmEventFormatter.FormatText(new VmEvent(VmEvent.Delete, s_date, Uuid, Uuid)));
        Assert.Equal("[09:05:07.042Z] - - ready", VmEventFormatter.FormatText(new VmEvent(VmEvent.Ready, s_date, null, null)));
        Assert.Equal("{\"type\":\"ready\",\"date\":\"2024-05-01T09:05:07.042Z\"}",
            VmEventFormatter.FormatJson(new VmEvent(VmEvent.Ready, s_date, null, null)));
    }

    [Fact]
    public void Json_event_carries_vm_and_changes()
    {
        var vmEvent = VmEvent.Modified(J("{'uuid': 'u', 'zonename': 'z', 'alias': 'a'}"), J("{'uuid': 'u', 'zonename': 'z', 'alias': 'b'}"), s_date);
        Assert.Equal(
            "{\"type\":\"modify\",\"date\":\"2024-05-01T09:05:07.042Z\",\"zonename\":\"z\",\"uuid\":\"u\"," +
            "\"vm\":{\"uuid\":\"u\",\"zonename\":\"z\",\"alias\":\"b\"}," +
            "\"changes\":[{\"path\":[\"alias\"],\"prettyPath\":\"alias\",\"action\":\"changed\",\"oldValue\":\"a\",\"newValue\":\"b\"}]}",
            VmEventFormatter.FormatJson(vmEvent));
    }
}
