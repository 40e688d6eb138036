namespace Solstice.Core;

/// <summary>
/// A domain failure. Messages name the operand ("cannot open 'zones/x': dataset does not exist")
/// because the CLIs print them verbatim.
/// </summary>
public class SolsticeException(ErrorCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;

    public bool IsTransient => Code is ErrorCode.Unavailable;
}
