using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// The node tools' table, which solstice-vmtools dispatches on: every name resolves, and a tool run
/// through it prints and exits exactly as through the full binary's dispatch (by argv[0] or as
/// `solstice &lt;tool&gt;`).
/// </summary>
public sealed class NodeToolsTests
{
    private static CliOutcome RunNodeTool(string tool, params string[] args)
    {
        Assert.True(NodeTools.TryGet(tool, out var run));
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => new MemoryStream(), () => new MemoryStream(), "/nonexistent/node.json", "/nonexistent/node.sock");
        int code = ToolRunner.Run(tool, run, args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), []);
    }

    private static CliOutcome RunFull(string invokedAs, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => new MemoryStream(), () => new MemoryStream(), "/nonexistent/node.json", "/nonexistent/node.sock");
        int code = Program.Run(invokedAs, args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), []);
    }

    [Fact]
    public void Every_name_resolves_and_no_other()
    {
        Assert.Equal(["vmadm", "zlogin", "fwadm", "nictagadm"], NodeTools.Names);
        foreach (string name in NodeTools.Names)
            Assert.True(NodeTools.TryGet(name, out _), name);
        Assert.False(NodeTools.TryGet("imgadm", out _));
        Assert.False(NodeTools.TryGet("solstice", out _));
    }

    [Theory]
    [InlineData("vmadm", new[] { "help" })]
    [InlineData("vmadm", new string[0])]
    [InlineData("vmadm", new[] { "bogus" })]
    [InlineData("vmadm", new[] { "get", "not-a-uuid" })]
    [InlineData("zlogin", new string[0])]
    [InlineData("zlogin", new[] { "-x" })]
    [InlineData("fwadm", new[] { "add", "-f", "/nonexistent/rules.json" })]
    [InlineData("nictagadm", new[] { "list" })]
    public void A_tool_prints_and_exits_as_through_the_full_binary(string tool, string[] args)
    {
        var alone = RunNodeTool(tool, args);
        var byName = RunFull(tool, args);
        var bySolstice = RunFull("solstice", [tool, .. args]);
        Assert.Equal((byName.ExitCode, byName.Out, byName.Error), (alone.ExitCode, alone.Out, alone.Error));
        Assert.Equal((byName.ExitCode, byName.Out, byName.Error), (bySolstice.ExitCode, bySolstice.Out, bySolstice.Error));
    }
}
