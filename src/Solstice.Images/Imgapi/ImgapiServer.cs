using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Http;
using Solstice.Linux;

namespace Solstice.Images.Imgapi;

/// <summary>
/// An IMGAPI (v2) server over one pool's ImageStore, for imgadm on other nodes: GET /ping,
/// /images (filters name, version, type, os, owner, public, state; limit and marker), /images/:uuid
/// and /images/:uuid/file for the installed images whose file was kept, and the publish sequence
/// imgadm publish uses: POST /images/:uuid?action=import (or POST /images) with the manifest,
/// PUT /images/:uuid/file, POST /images/:uuid?action=activate, which installs the image here, and
/// DELETE /images/:uuid. Unactivated images are staged in &lt;pool&gt;/images/.imgapi/. No
/// authentication: bind it to an address only trusted peers reach.
/// </summary>
public sealed class ImgapiServer : IDisposable
{
    public const string Version = "4.0.0";
    private const int MaxManifestBytes = 1 << 20;
    private readonly ImageStore _store;
    private readonly HttpServer _http;

    public ImgapiServer(ImageStore store, IPEndPoint listen)
    {
        _store = store;
        _http = new HttpServer(listen, Handle);
    }

    public string Url => _http.Url;

    public IPEndPoint LocalEndPoint => _http.LocalEndPoint;

    private string StagingDirectory => Path.Combine(_store.IndexDirectory, ".imgapi");

    public void Start() => _http.Start();

    public void Dispose() => _http.Dispose();

    private HttpResponse Handle(HttpRequest request)
    {
        try
        {
            return Route(request);
        }
        catch (SolsticeException ex)
        {
            var (status, code) = ex.Code switch
            {
                ErrorCode.NotFound => (404, "ResourceNotFound"),
                ErrorCode.AlreadyExists => (409, "ImageUuidAlreadyExists"),
                ErrorCode.InvalidArgument => (422, "ValidationFailed"),
                ErrorCode.Conflict or ErrorCode.InvalidState => (409, "InvalidState"),
                _ => (500, "InternalError"),
            };
            return Error(status, code, ex.Message);
        }
        catch (JsonException ex)
        {
            return Error(400, "InvalidParameter", $"invalid JSON body: {ex.Message}");
        }
    }

    private HttpResponse Route(HttpRequest request)
    {
        string[] parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["ping"] && request.Method is "GET" or "HEAD")
            return HttpResponse.Json(200, new JsonObject { ["ping"] = "pong", ["version"] = Version, ["imgapi"] = true, ["pid"] = Environment.ProcessId });
        if (parts is ["images"])
        {
            return request.Method switch
            {
                "GET" or "HEAD" => HttpResponse.Json(200, ListImages(request)),
                "POST" => Stage(request, null),
                _ => Error(405, "BadMethod", $"{request.Method} /images is not supported"),
            };
        }
        if (parts.Length is 2 or 3 && parts[0] == "images")
        {
            if (!Guid.TryParseExact(parts[1], "D", out var uuid))
                return Error(404, "ResourceNotFound", $"'{parts[1]}' is not an image uuid");
            if (parts.Length == 3 && parts[2] == "file")
            {
                return request.Method switch
                {
                    "GET" or "HEAD" => GetFile(uuid),
                    "PUT" => PutFile(request, uuid),
                    _ => Error(405, "BadMethod", $"{request.Method} {request.Path} is not supported"),
                };
            }
            if (parts.Length == 2)
            {
                return (request.Method, request.QueryValue("action")) switch
                {
                    ("GET" or "HEAD", _) => Find(uuid) is { } manifest ? HttpResponse.Json(200, manifest) : NotFound(uuid),
                    ("POST", "import") => Stage(request, uuid),
                    ("POST", "activate") => Activate(uuid),
                    ("POST", var action) => Error(422, "ValidationFailed", $"unsupported action '{action}'"),
                    ("DELETE", _) => Delete(uuid),
                    _ => Error(405, "BadMethod", $"{request.Method} {request.Path} is not supported"),
                };
            }
        }
        return Error(404, "ResourceNotFound", $"{request.Path} does not exist");
    }

    private static HttpResponse Error(int status, string code, string message) =>
        HttpResponse.Json(status, new JsonObject { ["code"] = code, ["message"] = message });

    private static HttpResponse NotFound(Guid uuid) => Error(404, "ResourceNotFound", $"image {uuid} was not found");

    private JsonArray ListImages(HttpRequest request)
    {
        string state = request.QueryValue("state") ?? "active";
        var images = new List<JsonObject>();
        if (state is "active" or "all")
            images.AddRange(_store.ListIndexed().Select(i => Served(JsonNode.Parse(i.Json.Span)!.AsObject())));
        if (state is "unactivated" or "all")
            images.AddRange(StagedManifests());
        IEnumerable<JsonObject> selected = images.Where(m => Matches(m, request));
        selected = selected.OrderBy(m => m["published_at"]?.ToString() ?? "", StringComparer.Ordinal)
            .ThenBy(m => m["uuid"]?.ToString(), StringComparer.Ordinal);
        if (request.QueryValue("sort") is { } sort && sort.EndsWith(".desc", StringComparison.Ordinal))
            selected = selected.Reverse();
        if (request.QueryValue("marker") is { Length: > 0 } marker)
            selected = selected.SkipWhile(m => m["uuid"]?.ToString() != marker).Skip(1);
        if (int.TryParse(request.QueryValue("limit"), NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit > 0)
            selected = selected.Take(Math.Min(limit, 1000));
        return new JsonArray(selected.Select(m => (JsonNode)m).ToArray());
    }

    /// <summary>IMGAPI's filters: name and version exact, or substring with a leading '~'; type with '!' to exclude.</summary>
    private static bool Matches(JsonObject manifest, HttpRequest request)
    {
        foreach (string field in new[] { "name", "version", "os", "owner", "type", "public" })
        {
            if (request.QueryValue(field) is not { } wanted)
                continue;
            string actual = manifest[field] is JsonValue v ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()) : "";
            bool ok = field is "name" or "version" && wanted.StartsWith('~') ? actual.Contains(wanted[1..], StringComparison.Ordinal)
                : field == "type" && wanted.StartsWith('!') ? actual != wanted[1..]
                : actual == wanted;
            if (!ok)
                return false;
        }
        return true;
    }

    private JsonObject? Find(Guid uuid)
    {
        if (_store.Find(uuid) is { } installed)
            return Served((JsonObject)installed.Manifest.Json.DeepClone());
        return ReadStaged(uuid);
    }

    /// <summary>An installed image as served: state active unless the manifest says otherwise.</summary>
    private static JsonObject Served(JsonObject manifest)
    {
        manifest["state"] ??= "active";
        return manifest;
    }

    private HttpResponse GetFile(Guid uuid)
    {
        string path = _store.Find(uuid) is not null ? _store.FileOf(uuid) : StagedFile(uuid);
        if (!File.Exists(path))
            return Error(404, "ResourceNotFound", $"image {uuid} has no file on this server");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var response = new HttpResponse { BodyStream = stream, BodyLength = stream.Length };
        response.Headers["Content-Type"] = "application/octet-stream";
        return response;
    }

    /// <summary>POST /images (uuid assigned when absent) or POST /images/:uuid?action=import: stage an unactivated manifest.</summary>
    private HttpResponse Stage(HttpRequest request, Guid? uuid)
    {
        using var body = new MemoryStream();
        byte[] buffer = new byte[1 << 16];
        int read;
        while ((read = request.Body.Read(buffer)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > MaxManifestBytes)
                return Error(413, "PayloadTooLarge", $"a manifest is at most {MaxManifestBytes} bytes");
        }
        body.Position = 0;
        if (JsonNode.Parse(body) is not JsonObject manifest)
            return Error(422, "ValidationFailed", "the body must be a manifest object");
        if (uuid is { } given)
        {
            if (manifest["uuid"]?.ToString() is { } inBody && inBody != given.ToString())
                return Error(422, "ValidationFailed", $"manifest uuid {inBody} does not match {given}");
            manifest["uuid"] = given.ToString();
        }
        else
        {
            manifest["uuid"] ??= Guid.NewGuid().ToString();
        }
        var errors = ImageManifest.Validate(WithPlaceholderFile(manifest)).Select(e => e.ToString()).ToList();
        if (errors.Count > 0)
            return Error(422, "ValidationFailed", "invalid manifest: " + string.Join("; ", errors));
        var id = Guid.ParseExact(manifest["uuid"]!.ToString(), "D");
        if (_store.Find(id) is not null)
            return Error(409, "ImageUuidAlreadyExists", $"image {id} already exists");
        manifest["state"] = "unactivated";
        manifest["activated"] = false;
        Directory.CreateDirectory(StagingDirectory);
        AtomicFile.WriteText(StagedManifest(id), manifest.ToJsonString());
        return HttpResponse.Json(200, manifest);
    }

    /// <summary>Validation before the file is added: files is checked once the upload sets it.</summary>
    private static JsonObject WithPlaceholderFile(JsonObject manifest)
    {
        var copy = (JsonObject)manifest.DeepClone();
        copy["files"] ??= new JsonArray(new JsonObject { ["sha1"] = new string('0', 40), ["size"] = 1, ["compression"] = "none" });
        return copy;
    }

    private HttpResponse PutFile(HttpRequest request, Guid uuid)
    {
        if (ReadStaged(uuid) is not { } manifest)
            return _store.Find(uuid) is not null ? Error(409, "ImageUuidAlreadyExists", $"image {uuid} is already active") : NotFound(uuid);
        string compression = request.QueryValue("compression") ?? manifest["files"]?[0]?["compression"]?.ToString() ?? "none";
        if (!ImageManifest.Compressions.Contains(compression))
            return Error(422, "ValidationFailed", $"compression '{compression}' is not one of {string.Join(", ", ImageManifest.Compressions)}");
        string temp = StagedFile(uuid) + ".upload";
        long size = 0;
        string sha1;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1))
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            byte[] buffer = new byte[1 << 17];
            int read;
            while ((read = request.Body.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                size += read;
            }
            sha1 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        if (request.QueryValue("sha1") is { } expected && !expected.Equals(sha1, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(temp);
            return Error(422, "ValidationFailed", $"image {uuid}: sha1 mismatch: expected {expected}, got {sha1}");
        }
        if (request.QueryValue("size") is { } sizeText && sizeText != size.ToString(CultureInfo.InvariantCulture))
        {
            File.Delete(temp);
            return Error(422, "ValidationFailed", $"image {uuid}: size mismatch: expected {sizeText} bytes, got {size}");
        }
        File.Move(temp, StagedFile(uuid), overwrite: true);
        manifest["files"] = new JsonArray(new JsonObject { ["sha1"] = sha1, ["size"] = size, ["compression"] = compression });
        AtomicFile.WriteText(StagedManifest(uuid), manifest.ToJsonString());
        return HttpResponse.Json(200, manifest);
    }

    private HttpResponse Activate(Guid uuid)
    {
        if (ReadStaged(uuid) is not { } manifest)
            return _store.Find(uuid) is { } active ? HttpResponse.Json(200, Served((JsonObject)active.Manifest.Json.DeepClone())) : NotFound(uuid);
        if (!File.Exists(StagedFile(uuid)))
            return Error(422, "ValidationFailed", $"image {uuid} has no file yet (PUT /images/{uuid}/file first)");
        manifest["state"] = "active";
        manifest["activated"] = true;
        manifest["published_at"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var parsed = ImageManifest.Parse(manifest.ToJsonString(), $"staged {uuid}");
        _store.Install(parsed, StagedFile(uuid), new InstallOptions { KeepFile = true, Verified = true });
        File.Delete(StagedManifest(uuid));
        return HttpResponse.Json(200, manifest);
    }

    private HttpResponse Delete(Guid uuid)
    {
        if (File.Exists(StagedManifest(uuid)))
        {
            File.Delete(StagedFile(uuid));
            File.Delete(StagedManifest(uuid));
            return new HttpResponse { Status = 204 };
        }
        if (_store.Find(uuid) is null)
            return NotFound(uuid);
        _store.Delete(uuid);
        return new HttpResponse { Status = 204 };
    }

    private string StagedManifest(Guid uuid) => Path.Combine(StagingDirectory, $"{uuid}.json");

    private string StagedFile(Guid uuid) => Path.Combine(StagingDirectory, $"{uuid}.file");

    private JsonObject? ReadStaged(Guid uuid)
    {
        string path = StagedManifest(uuid);
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject : null;
    }

    private IEnumerable<JsonObject> StagedManifests()
    {
        if (!Directory.Exists(StagingDirectory))
            yield break;
        foreach (string path in Directory.EnumerateFiles(StagingDirectory, "*.json"))
        {
            if (JsonNode.Parse(File.ReadAllBytes(path)) is JsonObject manifest)
                yield return manifest;
        }
    }
}
