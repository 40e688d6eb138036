namespace Solstice.Metadata;

/// <summary>How the host must treat one request line.</summary>
public enum MetadataRequestKind
{
    /// <summary>Answered with the bare line <c>invalid command</c>: a blank line, or GET/NEGOTIATE without argument.</summary>
    InvalidCommand,

    /// <summary>A V2 frame that does not parse or check out (length, CRC): silently dropped, the client times out.</summary>
    Drop,

    /// <summary>A legacy command: <c>GET key</c>, <c>KEYS</c>, <c>NEGOTIATE V2</c>.</summary>
    V1,

    /// <summary>A checked V2 frame; the reply is a V2 frame with the same request id.</summary>
    V2,
}

/// <summary>One parsed request line.</summary>
/// <param name="Command">The first word (V1) or the frame's operation (V2), case-sensitive: GET, KEYS, PUT, DELETE, NEGOTIATE.</param>
/// <param name="Argument">V1: the rest of the line after one separator; V2: the base64-decoded payload.</param>
/// <param name="RequestId">V2 only: the request id, echoed in the reply.</param>
public readonly record struct MetadataRequest(MetadataRequestKind Kind, string Command, string Argument, string? RequestId)
{
    public static MetadataRequest InvalidCommand => new(MetadataRequestKind.InvalidCommand, "", "", null);

    public static MetadataRequest Drop => new(MetadataRequestKind.Drop, "", "", null);
}
