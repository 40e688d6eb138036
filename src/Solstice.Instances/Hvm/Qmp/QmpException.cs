using Solstice.Core;

namespace Solstice.Instances.Hvm.Qmp;

/// <summary>
/// QEMU answered a command with an error: <see cref="Class"/> is QMP's error class (GenericError,
/// CommandNotFound, DeviceNotActive, ...), the message QEMU's description prefixed with the command.
/// </summary>
public sealed class QmpException(string command, string errorClass, string description)
    : SolsticeException(ErrorCode.BackendFailed, $"QEMU refused '{command}': {description}")
{
    public string Command { get; } = command;

    public string Class { get; } = errorClass;

    public string Description { get; } = description;
}
