namespace Solstice.Metadata;

/// <summary>The three answers of the protocol: SUCCESS, NOTFOUND, FAILURE.</summary>
public enum MetadataStatus
{
    Success,
    NotFound,
    Failure,
}

/// <summary>
/// A store's answer. <see cref="Value"/> is the value on success (empty allowed) and the optional
/// message on failure; V2 sends it base64-encoded, V1 sends a message-less <c>FAILURE</c>.
/// </summary>
public readonly record struct MetadataResult(MetadataStatus Status, string? Value)
{
    public static MetadataResult Found(string value) => new(MetadataStatus.Success, value);

    public static MetadataResult NotFound => new(MetadataStatus.NotFound, null);

    public static MetadataResult Failed(string? message = null) => new(MetadataStatus.Failure, message);

    /// <summary>What PUT and DELETE answer on success: SmartOS sends "OK" although the spec says nothing.</summary>
    public static MetadataResult Ok => new(MetadataStatus.Success, "OK");
}

/// <summary>What the host writes back for one request line.</summary>
public enum MetadataReplyKind
{
    /// <summary>Nothing (a dropped frame).</summary>
    None,

    /// <summary><c>invalid command</c>.</summary>
    InvalidCommand,

    /// <summary><c>V2_OK</c>, the answer to <c>NEGOTIATE V2</c>.</summary>
    V2Ok,

    /// <summary>A SUCCESS/NOTFOUND/FAILURE answer, framed as the request was (V1 or V2).</summary>
    Result,
}

public readonly record struct MetadataReply(MetadataReplyKind Kind, MetadataResult Result)
{
    public static MetadataReply None => new(MetadataReplyKind.None, default);

    public static MetadataReply InvalidCommand => new(MetadataReplyKind.InvalidCommand, default);

    public static MetadataReply V2Ok => new(MetadataReplyKind.V2Ok, default);

    public static MetadataReply Of(MetadataResult result) => new(MetadataReplyKind.Result, result);
}
