using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Images.Docker;

/// <summary>
/// A Docker Registry HTTP API v2 / OCI distribution client for pulling: GET /v2/, manifests (an
/// index resolved to linux on this architecture) and blobs. Anonymous, with the bearer-token flow
/// registries use for anonymous pulls: a 401 carrying "WWW-Authenticate: Bearer realm=…,service=…,
/// scope=…" is answered by fetching a token from the realm and retrying with it.
/// </summary>
public sealed class DockerRegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _base;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public DockerRegistryClient(string url, bool insecure = false)
    {
        _base = url.TrimEnd('/');
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None };
        if (insecure)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("solstice-imgadm/1.0");
    }

    public string Url => _base;

    public void Dispose() => _http.Dispose();

    /// <summary>GET /v2/: 200, or 401 (the registry is there and wants a token).</summary>
    public void Ping()
    {
        using var response = Send(new HttpRequestMessage(HttpMethod.Get, _base + "/v2/"), "/v2/");
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Unauthorized))
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: GET /v2/ answered {(int)response.StatusCode}");
    }

    /// <summary>Resolves the reference to an image: manifest (through an index if need be), config and layers.</summary>
    public DockerImage GetImage(DockerReference reference)
    {
        string repo = reference.RepositoryOn(_base);
        string source = $"docker registry {_base}, {repo}:{reference.Reference}";
        var (manifest, mediaType) = GetManifest(repo, reference.Reference, source);
        if (DockerManifests.IsIndex(mediaType, manifest))
            (manifest, _) = GetManifest(repo, DockerManifests.SelectPlatform(manifest, source), source);
        var (configDigest, layers) = DockerManifests.ReadManifest(manifest, source);
        JsonObject config;
        using (var blob = OpenBlob(repo, configDigest))
        using (var buffer = new MemoryStream())
        {
            blob.CopyTo(buffer);
            Verify(buffer.ToArray(), configDigest, source);
            config = JsonNode.Parse(buffer.ToArray()) as JsonObject
                ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: the config is not a JSON object");
        }
        return new DockerImage(config, layers, layer => OpenBlob(repo, layer.Digest), $"docker registry {_base}");
    }

    private (JsonObject Manifest, string? MediaType) GetManifest(string repo, string reference, string source)
    {
        string path = $"/v2/{repo}/manifests/{reference}";
        var request = new HttpRequestMessage(HttpMethod.Get, _base + path);
        foreach (string type in DockerManifests.Accepted)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        using var response = Send(request, path, repo);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new SolsticeException(ErrorCode.NotFound, $"{source}: manifest unknown (404)");
        Ensure(response, path);
        using var copy = new MemoryStream();
        response.Content.ReadAsStream().CopyTo(copy);
        byte[] body = copy.ToArray();
        if (reference.StartsWith("sha256:", StringComparison.Ordinal))
            Verify(body, reference, source);
        try
        {
            var json = JsonNode.Parse(body) as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: the manifest is not an object");
            return (json, response.Content.Headers.ContentType?.MediaType ?? json["mediaType"]?.ToString());
        }
        catch (JsonException ex)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: invalid manifest JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Streams a blob; the caller checks its digest.</summary>
    public Stream OpenBlob(string repo, string digest)
    {
        string path = $"/v2/{repo}/blobs/{digest}";
        var response = Send(new HttpRequestMessage(HttpMethod.Get, _base + path), path, repo);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new SolsticeException(ErrorCode.NotFound, $"docker registry {_base}: blob {digest} of {repo} unknown (404)");
            Ensure(response, path);
            return new Http.ResponseBodyStream(response, response.Content.ReadAsStream());
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void Verify(byte[] data, string digest, string source)
    {
        string actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        if (actual != digest)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{source}: digest mismatch: expected {digest}, got {actual}");
    }

    private HttpResponseMessage Send(HttpRequestMessage request, string path, string? repo = null)
    {
        string scope = repo is null ? "" : $"repository:{repo}:pull";
        if (_tokens.TryGetValue(scope, out var token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = SendOnce(request, path);
        // A 401 on /v2/ (no repository) already says the registry is there: ping needs no token.
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization is not null || repo is null)
            return response;
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        if (challenge?.Parameter is null)
        {
            response.Dispose();
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: {path} needs credentials, and only anonymous pulls are supported");
        }
        response.Dispose();
        _tokens[scope] = token = FetchToken(challenge.Parameter, scope);
        var retry = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var accept in request.Headers.Accept)
            retry.Headers.Accept.Add(accept);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var second = SendOnce(retry, path);
        if (second.StatusCode == HttpStatusCode.Unauthorized)
        {
            second.Dispose();
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: {path}: access denied with an anonymous token");
        }
        return second;
    }

    private HttpResponseMessage SendOnce(HttpRequestMessage request, string path)
    {
        try
        {
            return _http.Send(request, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: GET {path}: {(ex.InnerException ?? ex).Message}", ex);
        }
    }

    /// <summary>GET realm?service=…&amp;scope=… anonymously; the answer carries "token" or "access_token".</summary>
    private string FetchToken(string parameters, string scope)
    {
        var values = ParseChallenge(parameters);
        if (!values.TryGetValue("realm", out var realm))
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: bearer challenge without a realm");
        var query = new List<string>();
        if (values.TryGetValue("service", out var service))
            query.Add("service=" + Uri.EscapeDataString(service));
        string wanted = values.TryGetValue("scope", out var given) ? given : scope;
        if (wanted.Length > 0)
            query.Add("scope=" + Uri.EscapeDataString(wanted));
        string url = realm + (query.Count > 0 ? (realm.Contains('?') ? "&" : "?") + string.Join('&', query) : "");
        using var response = SendOnce(new HttpRequestMessage(HttpMethod.Get, url), url);
        if (!response.IsSuccessStatusCode)
            throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: token request to {realm} answered {(int)response.StatusCode}");
        var json = JsonNode.Parse(response.Content.ReadAsStream()) as JsonObject;
        return json?["token"]?.ToString() ?? json?["access_token"]?.ToString()
            ?? throw new SolsticeException(ErrorCode.Unavailable, $"docker registry {_base}: token response from {realm} has no token");
    }

    /// <summary>key="value" pairs of a WWW-Authenticate parameter list (values may contain commas inside quotes).</summary>
    public static Dictionary<string, string> ParseChallenge(string parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < parameters.Length)
        {
            while (i < parameters.Length && parameters[i] is ' ' or ',')
                i++;
            int eq = parameters.IndexOf('=', i);
            if (eq < 0)
                break;
            string key = parameters[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameters.Length && parameters[i] == '"')
            {
                int end = parameters.IndexOf('"', i + 1);
                if (end < 0)
                    end = parameters.Length;
                value = parameters[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                int end = parameters.IndexOf(',', i);
                if (end < 0)
                    end = parameters.Length;
                value = parameters[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }

    private void Ensure(HttpResponseMessage response, string path)
    {
        if (!response.IsSuccessStatusCode)
            throw new SolsticeException(ErrorCode.BackendFailed, $"docker registry {_base}: GET {path}: {(int)response.StatusCode} {response.ReasonPhrase}");
    }
}
