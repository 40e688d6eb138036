using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Images.Http;

/// <summary>A parsed request: method, path (percent-decoded), query and headers; the body is read from Body.</summary>
public sealed class HttpRequest
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The body: exactly Content-Length bytes, or the decoded chunks; empty when there is none.</summary>
    public required Stream Body { get; init; }

    public long? ContentLength { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A response: status, headers and a body given as bytes or as a stream of known length.</summary>
public sealed class HttpResponse
{
    public int Status { get; init; } = 200;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[]? Body { get; init; }

    /// <summary>A body copied to the connection and then disposed; BodyLength must be set with it.</summary>
    public Stream? BodyStream { get; init; }

    public long BodyLength { get; init; }

    public static HttpResponse Json(int status, JsonNode node)
    {
        var response = new HttpResponse { Status = status, Body = Encoding.UTF8.GetBytes(node.ToJsonString()) };
        response.Headers["Content-Type"] = "application/json";
        return response;
    }

    public static HttpResponse Text(int status, string text)
    {
        var response = new HttpResponse { Status = status, Body = Encoding.UTF8.GetBytes(text) };
        response.Headers["Content-Type"] = "text/plain; charset=utf-8";
        return response;
    }

    public static string Reason(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
