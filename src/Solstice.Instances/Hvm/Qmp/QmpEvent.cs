using System.Text.Json;

namespace Solstice.Instances.Hvm.Qmp;

/// <summary>
/// An asynchronous QMP event (SHUTDOWN, POWERDOWN, RESET, STOP, RESUME, BLOCK_IO_ERROR, ...).
/// <see cref="Data"/> is a detached copy of the event's data object, or undefined when it has none.
/// </summary>
public sealed record QmpEvent(string Name, DateTimeOffset Timestamp, JsonElement Data);
