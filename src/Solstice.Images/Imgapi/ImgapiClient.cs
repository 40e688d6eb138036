using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Images.Imgapi;

/// <summary>
/// The IMGAPI calls imgadm makes (GET /ping, /images, /images/:uuid, /images/:uuid/file, and the
/// publish sequence), with "Accept-Version: ~2" as sdc-clients sends it. A "?channel=NAME" on the
/// base URL is carried to every request. Errors name the server and the call; an IMGAPI error body
/// {code, message} is quoted.
/// </summary>
public sealed class ImgapiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _base;
    private readonly string? _channel;

    public ImgapiClient(string url, bool insecure = false, TimeSpan? timeout = null)
    {
        int question = url.IndexOf('?');
        _base = (question < 0 ? url : url[..question]).TrimEnd('/');
        if (question >= 0 && Http.HttpServer.ParseQuery(url[(question + 1)..]).TryGetValue("channel", out var channel))
            _channel = channel;
        Url = url;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None };
        if (insecure)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = timeout ?? Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Add("Accept-Version", "~2");
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("solstice-imgadm/1.0");
    }

    public string Url { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>GET /ping: must answer 200 with JSON carrying "imgapi": true.</summary>
    public JsonObject Ping()
    {
        using var response = Send(HttpMethod.Get, "/ping");
        var body = ReadJson(response, "/ping") as JsonObject;
        if (response.StatusCode != HttpStatusCode.OK || body?["imgapi"]?.GetValueKind() != JsonValueKind.True)
            throw new SolsticeException(ErrorCode.Unavailable, $"image source {Url}: not an IMGAPI server (GET /ping answered {(int)response.StatusCode} without \"imgapi\": true)");
        return body;
    }

    /// <summary>GET /images, following the marker while pages come back full.</summary>
    public IReadOnlyList<JsonObject> ListImages(string query = "")
    {
        var all = new List<JsonObject>();
        const int limit = 1000;
        string? marker = null;
        while (true)
        {
            string path = $"/images?limit={limit}" + (query.Length > 0 ? "&" + query : "") + (marker is null ? "" : $"&marker={marker}");
            using var response = Send(HttpMethod.Get, path);
            Ensure(response, path);
            var page = ReadJson(response, path) as JsonArray
                ?? throw new SolsticeException(ErrorCode.BackendFailed, $"image source {Url}: GET /images did not return an array");
            var images = page.OfType<JsonObject>().ToList();
            all.AddRange(images);
            if (images.Count < limit || images[^1]["uuid"]?.GetValue<string>() is not { } last)
                return all;
            marker = last;
        }
    }

    /// <summary>GET /images/:uuid, or null on 404.</summary>
    public JsonObject? GetImage(Guid uuid)
    {
        string path = $"/images/{uuid}";
        using var response = Send(HttpMethod.Get, path);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        Ensure(response, path);
        return ReadJson(response, path) as JsonObject
            ?? throw new SolsticeException(ErrorCode.BackendFailed, $"image source {Url}: GET {path} did not return an object");
    }

    /// <summary>GET /images/:uuid/file, streamed; length from Content-Length when sent.</summary>
    public Stream OpenFile(Guid uuid, out long? length)
    {
        string path = $"/images/{uuid}/file";
        var response = Send(HttpMethod.Get, path);
        try
        {
            Ensure(response, path);
            length = response.Content.Headers.ContentLength;
            return new Http.ResponseBodyStream(response, response.Content.ReadAsStream());
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>POST /images/:uuid?action=import with the manifest (AdminImportImage), as imgadm publish starts.</summary>
    public JsonObject ImportManifest(Guid uuid, JsonObject manifest) =>
        Call(HttpMethod.Post, $"/images/{uuid}?action=import", new StringContent(manifest.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>PUT /images/:uuid/file with the file as the body.</summary>
    public JsonObject AddFile(Guid uuid, Stream file, long size, string sha1, string compression)
    {
        var content = new StreamContent(file, 1 << 17);
        content.Headers.ContentLength = size;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return Call(HttpMethod.Put, $"/images/{uuid}/file?compression={compression}&sha1={sha1}&size={size}", content);
    }

    public JsonObject Activate(Guid uuid) => Call(HttpMethod.Post, $"/images/{uuid}?action=activate", null);

    public void Delete(Guid uuid)
    {
        using var response = Send(HttpMethod.Delete, $"/images/{uuid}");
        if (response.StatusCode != HttpStatusCode.NotFound)
            Ensure(response, $"/images/{uuid}");
    }

    private JsonObject Call(HttpMethod method, string path, HttpContent? content)
    {
        using var response = Send(method, path, content);
        Ensure(response, path, method.Method);
        return ReadJson(response, path) as JsonObject ?? [];
    }

    private HttpResponseMessage Send(HttpMethod method, string path, HttpContent? content = null)
    {
        if (_channel is not null)
            path += (path.Contains('?') ? "&" : "?") + "channel=" + Uri.EscapeDataString(_channel);
        var request = new HttpRequestMessage(method, _base + path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return _http.Send(request, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new SolsticeException(ErrorCode.Unavailable, $"image source {Url}: {method} {path}: {Innermost(ex)}", ex);
        }
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
            ex = ex.InnerException;
        return ex.Message;
    }

    private void Ensure(HttpResponseMessage response, string path, string method = "GET")
    {
        if (response.IsSuccessStatusCode)
            return;
        string detail = "";
        try
        {
            if (JsonNode.Parse(response.Content.ReadAsStream()) is JsonObject error)
                detail = $": {error["code"]?.ToString() ?? "Error"}: {error["message"]?.ToString()}";
        }
        catch (JsonException)
        {
        }
        var code = response.StatusCode switch
        {
            HttpStatusCode.NotFound => ErrorCode.NotFound,
            HttpStatusCode.Conflict => ErrorCode.AlreadyExists,
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => ErrorCode.InvalidArgument,
            _ => ErrorCode.BackendFailed,
        };
        throw new SolsticeException(code, $"image source {Url}: {method} {path}: {(int)response.StatusCode} {response.ReasonPhrase}{detail}");
    }

    private JsonNode? ReadJson(HttpResponseMessage response, string path)
    {
        try
        {
            return JsonNode.Parse(response.Content.ReadAsStream());
        }
        catch (JsonException ex)
        {
            throw new SolsticeException(ErrorCode.BackendFailed, $"image source {Url}: {path}: invalid JSON: {ex.Message}", ex);
        }
    }
}
