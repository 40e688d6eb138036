using System.Net;
using System.Text.Json.Nodes;
using Solstice.Images.Http;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// A registry double on 127.0.0.1 speaking the distribution API for one image: /v2/, manifests by
/// tag or digest, blobs, and a token endpoint. Every /v2 request needs "Bearer good-token", which
/// /token hands out for the right service and scope, as Docker Hub does for anonymous pulls.
/// </summary>
public sealed class FakeRegistry : IDisposable
{
    private readonly HttpServer _server;
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly string _repository;
    private readonly string _tag;
    private readonly OciImageBuilder.Built _image;

    public FakeRegistry(OciImageBuilder.Built image, string repository, string tag)
    {
        _image = image;
        _repository = repository;
        _tag = tag;
        foreach (byte[] blob in image.Blobs.Append(image.Config))
            _blobs[OciImageBuilder.Digest(blob)] = blob;
        _server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), Handle);
        _server.Start();
    }

    public string Url => _server.Url;

    public List<string> Requests { get; } = [];

    /// <summary>Blob digests whose content is served corrupted.</summary>
    public HashSet<string> Corrupt { get; } = [];

    public void Dispose() => _server.Dispose();

    private HttpResponse Handle(HttpRequest request)
    {
        lock (Requests)
            Requests.Add($"{request.Method} {request.Path}");
        if (request.Path == "/token")
        {
            bool ok = request.QueryValue("service") == "fake-registry" && request.QueryValue("scope") == $"repository:{_repository}:pull";
            return ok ? HttpResponse.Json(200, new JsonObject { ["token"] = "good-token" }) : HttpResponse.Json(403, new JsonObject());
        }
        if (request.Header("Authorization") != "Bearer good-token")
        {
            var challenge = HttpResponse.Json(401, new JsonObject { ["errors"] = new JsonArray() });
            string scope = request.Path.StartsWith($"/v2/{_repository}/", StringComparison.Ordinal) ? $",scope=\"repository:{_repository}:pull\"" : "";
            challenge.Headers["WWW-Authenticate"] = $"Bearer realm=\"{Url}/token\",service=\"fake-registry\"{scope}";
            return challenge;
        }
        if (request.Path == "/v2/")
            return HttpResponse.Json(200, new JsonObject());
        string prefix = $"/v2/{_repository}/";
        if (request.Path.StartsWith(prefix + "manifests/", StringComparison.Ordinal))
        {
            string reference = request.Path[(prefix.Length + "manifests/".Length)..];
            if (reference != _tag && reference != _image.ManifestDigest)
                return HttpResponse.Json(404, new JsonObject { ["errors"] = new JsonArray() });
            var response = new HttpResponse { Body = _image.Manifest };
            response.Headers["Content-Type"] = "application/vnd.oci.image.manifest.v1+json";
            response.Headers["Docker-Content-Digest"] = _image.ManifestDigest;
            return response;
        }
        if (request.Path.StartsWith(prefix + "blobs/", StringComparison.Ordinal))
        {
            string digest = request.Path[(prefix.Length + "blobs/".Length)..];
            if (!_blobs.TryGetValue(digest, out var blob))
                return HttpResponse.Json(404, new JsonObject());
            if (Corrupt.Contains(digest))
            {
                blob = (byte[])blob.Clone();
                blob[^5] ^= 0xff;
            }
            var response = new HttpResponse { Body = blob };
            response.Headers["Content-Type"] = "application/octet-stream";
            return response;
        }
        return HttpResponse.Json(404, new JsonObject());
    }
}
