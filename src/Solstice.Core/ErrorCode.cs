namespace Solstice.Core;

/// <summary>The closed set of failure meanings. docs/errors.md maps each to an exit code.</summary>
public enum ErrorCode
{
    NotFound,
    AlreadyExists,
    InvalidArgument,
    InvalidState,
    Conflict,
    NotSupported,
    QuotaExceeded,
    BackendFailed,
    Unavailable,
    Internal,
}
