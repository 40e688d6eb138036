using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Images.Tests;

public sealed class ImageManifestTests
{
    private const string Uuid = "2b8f4ae6-5b2e-4a4b-9c3e-1f0d2c3b4a59";

    private static JsonObject Valid() => new()
    {
        ["v"] = 2,
        ["uuid"] = Uuid,
        ["owner"] = "00000000-0000-0000-0000-000000000000",
        ["name"] = "base-64",
        ["version"] = "23.4.0",
        ["type"] = "zone-dataset",
        ["os"] = "smartos",
        ["published_at"] = "2024-01-02T03:04:05Z",
        ["files"] = new JsonArray(new JsonObject
        {
            ["sha1"] = "97f20b32c2016782257176fb58a35e5044f05840",
            ["size"] = 123456,
            ["compression"] = "gzip",
        }),
    };

    [Fact]
    public void A_valid_manifest_parses_and_keeps_unknown_fields()
    {
        var json = Valid();
        json["tags"] = new JsonObject { ["role"] = "db" };
        json["requirements"] = new JsonObject { ["brand"] = "joyent" };
        var manifest = ImageManifest.Parse(json.ToJsonString(), "m.json");
        Assert.Equal(Guid.Parse(Uuid), manifest.Uuid);
        Assert.Equal(("base-64", "23.4.0", "zone-dataset", "smartos"), (manifest.Name, manifest.Version, manifest.Type, manifest.Os));
        Assert.Equal(new ImageFile("97f20b32c2016782257176fb58a35e5044f05840", 123456, "gzip"), manifest.File);
        Assert.Equal("db", manifest.Json["tags"]!["role"]!.GetValue<string>());
        Assert.Contains("\"requirements\"", manifest.ToJsonString());
    }

    public static TheoryData<string, Action<JsonObject>, string> Invalid => new()
    {
        { "v missing", j => j.Remove("v"), "v: is required" },
        { "v 1", j => j["v"] = 1, "v: unsupported manifest version 1 (only 2)" },
        { "v string", j => j["v"] = "2", "v: must be an integer" },
        { "uuid missing", j => j.Remove("uuid"), "uuid: is required" },
        { "uuid bad", j => j["uuid"] = "not-a-uuid", "uuid: 'not-a-uuid' is not a UUID" },
        { "name missing", j => j.Remove("name"), "name: is required" },
        { "name chars", j => j["name"] = "bad:name", "name: 'bad:name' has characters outside A-Z a-z 0-9 . _ / space -" },
        { "name long", j => j["name"] = new string('a', 513), "name: is longer than 512 characters" },
        { "name number", j => j["name"] = 5, "name: must be a string" },
        { "version missing", j => j.Remove("version"), "version: is required" },
        { "version long", j => j["version"] = new string('1', 129), "version: is longer than 128 characters" },
        { "version empty", j => j["version"] = "", "version: must not be empty" },
        { "type missing", j => j.Remove("type"), "type: is required" },
        { "type bad", j => j["type"] = "lxd", "type: 'lxd' is not one of zone-dataset, lx-dataset, docker, zvol, other" },
        { "os missing", j => j.Remove("os"), "os: is required" },
        { "os bad", j => j["os"] = "plan9", "os: 'plan9' is not one of smartos, linux, windows, bsd, illumos, other" },
        { "owner bad", j => j["owner"] = "me", "owner: must be a UUID" },
        { "files missing", j => j.Remove("files"), "files: is required (one entry describing the image file)" },
        { "files object", j => j["files"] = new JsonObject(), "files: must be an array" },
        { "files empty", j => j["files"] = new JsonArray(), "files: must have exactly one entry, has 0" },
        { "files two", j => j["files"]!.AsArray().Add(new JsonObject()), "files: must have exactly one entry, has 2" },
        { "sha1 missing", j => j["files"]![0]!.AsObject().Remove("sha1"), "files[0].sha1: is required" },
        { "sha1 short", j => j["files"]![0]!["sha1"] = "abc", "files[0].sha1: 'abc' is not 40 hexadecimal digits" },
        { "size missing", j => j["files"]![0]!.AsObject().Remove("size"), "files[0].size: is required" },
        { "size negative", j => j["files"]![0]!["size"] = -1, "files[0].size: must be a non-negative integer" },
        { "size string", j => j["files"]![0]!["size"] = "12", "files[0].size: must be a non-negative integer" },
        { "compression missing", j => j["files"]![0]!.AsObject().Remove("compression"), "files[0].compression: is required" },
        { "compression bad", j => j["files"]![0]!["compression"] = "lz4", "files[0].compression: 'lz4' is not one of gzip, bzip2, xz, zstd, none" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_invalid_field_is_reported(string label, Action<JsonObject> spoil, string expected)
    {
        var json = Valid();
        spoil(json);
        var errors = ImageManifest.Validate(json).Select(e => e.ToString()).ToList();
        Assert.True(errors.Contains(expected), $"{label}: got [{string.Join("; ", errors)}]");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void Every_supported_compression_is_accepted(string compression)
    {
        var json = Valid();
        json["files"]![0]!["compression"] = compression;
        Assert.Empty(ImageManifest.Validate(json));
    }

    [Theory]
    [InlineData("zone-dataset")]
    [InlineData("lx-dataset")]
    [InlineData("docker")]
    [InlineData("zvol")]
    [InlineData("other")]
    public void Every_imgadm_type_is_accepted(string type)
    {
        var json = Valid();
        json["type"] = type;
        Assert.Empty(ImageManifest.Validate(json));
    }

    [Fact]
    public void All_errors_are_listed_at_once_under_the_image_uuid()
    {
        var json = Valid();
        json.Remove("name");
        json["os"] = "plan9";
        json["files"]![0]!["sha1"] = "xyz";
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse(json.ToJsonString(), "m.json"));
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal(
            $"image {Uuid}: invalid manifest:\n  name: is required\n  os: 'plan9' is not one of smartos, linux, windows, bsd, illumos, other\n" +
            "  files[0].sha1: 'xyz' is not 40 hexadecimal digits", ex.Message);
    }

    [Fact]
    public void Without_a_valid_uuid_the_error_names_the_file()
    {
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse("{\"v\": 2}", "/tmp/m.json"));
        Assert.StartsWith("image manifest /tmp/m.json: invalid manifest:\n  uuid: is required", ex.Message);
    }

    [Theory]
    [InlineData("{", "invalid JSON")]
    [InlineData("[1]", "(manifest): must be a JSON object")]
    [InlineData("null", "(manifest): must be a JSON object")]
    public void Non_objects_are_rejected(string text, string expected)
    {
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse(text, "m.json"));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Uppercase_sha1_and_uuid_are_normalised_for_comparison()
    {
        var json = Valid();
        json["uuid"] = Uuid.ToUpperInvariant();
        json["files"]![0]!["sha1"] = "97F20B32C2016782257176FB58A35E5044F05840";
        var manifest = ImageManifest.Parse(json.ToJsonString(), "m.json");
        Assert.Equal(Uuid, manifest.Uuid.ToString());
        Assert.Equal("97f20b32c2016782257176fb58a35e5044f05840", manifest.File.Sha1);
    }

    [Fact]
    public void Plus_and_non_ascii_are_written_unescaped()
    {
        var json = Valid();
        json["version"] = "1.0+build";
        json["description"] = "Zürich <image>";
        string text = ImageManifest.Parse(json.ToJsonString(), "m.json").ToJsonString();
        Assert.Contains("\"1.0+build\"", text);
        Assert.Contains("\"Zürich <image>\"", text);
    }

    [Fact]
    public void Duplicate_properties_are_invalid_json()
    {
        string text = Valid().ToJsonString().Replace("\"v\":2,", "\"v\":2,\"v\":2,", StringComparison.Ordinal);
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse(text, "m.json"));
        Assert.StartsWith("image manifest m.json: invalid JSON: ", ex.Message);
        Assert.Null(ImageManifest.TryParse(text));
    }
}
