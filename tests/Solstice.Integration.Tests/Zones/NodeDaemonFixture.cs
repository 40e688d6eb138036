
namespace Solstice.Integration.Tests.Zones;

/// <summary>One daemon shared by the tests of a class; each test makes its own VMs.</summary>
public sealed class NodeDaemonFixture : IDisposable
{
    private readonly Lazy<NodeDaemon> _daemon = new(() => new NodeDaemon("3G"));

    public NodeDaemon Daemon => _daemon.Value;

    public void Dispose()
    {
        if (_daemon.IsValueCreated)
            _daemon.Value.Dispose();
    }
}

[CollectionDefinition("Zones", DisableParallelization = true)]
public sealed class ZonesCollection;
