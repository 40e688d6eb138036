using Solstice.Core.Protocol;

namespace Solstice.Node.Tests;

public sealed class NodeOpsTests : IDisposable
{
    private readonly VmServiceFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public void The_daemon_handles_exactly_the_operations_named_in_NodeOps()
    {
        var handled = new NodeApi(_node.Vms, _node.Events).Handlers.Keys.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(NodeOps.All.Order(StringComparer.Ordinal).ToList(), handled);
        Assert.Equal(NodeOps.All.Count, NodeOps.All.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_constant_in_NodeOps_is_listed_in_All()
    {
        var constants = typeof(NodeOps).GetFields().Where(f => f.IsLiteral && f.Name != nameof(NodeOps.VmPrefix))
            .Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(constants, NodeOps.All.Order(StringComparer.Ordinal).ToList());
    }
}
