using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Solstice.Node;

/// <summary>Fans VM change events out to `vmadm events` subscribers; a slow subscriber drops, never blocks.</summary>
public sealed class EventHub
{
    private readonly Lock _lock = new();
    private readonly List<Channel<JsonObject>> _subscribers = [];

    public ChannelReader<JsonObject> Subscribe()
    {
        var channel = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
            _subscribers.Add(channel);
        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<JsonObject> reader)
    {
        lock (_lock)
            _subscribers.RemoveAll(c => c.Reader == reader);
    }

    public void Publish(JsonObject evt)
    {
        lock (_lock)
        {
            foreach (var channel in _subscribers)
                channel.Writer.TryWrite((JsonObject)evt.DeepClone());
        }
    }
}
