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
        { "uuid bad", j => j["uuid"] = "not-a-uuid", "uuid: 'not-a-uuid' is not a UUID (lower-case 8-4-4-4-12 hexadecimal digits)" },
        { "uuid upper", j => j["uuid"] = Uuid.ToUpperInvariant(),
            $"uuid: '{Uuid.ToUpperInvariant()}' is not a UUID (lower-case 8-4-4-4-12 hexadecimal digits)" },
        { "uuid nil", j => j["uuid"] = "00000000-0000-0000-0000-000000000000", "uuid: the nil UUID cannot name an image" },
        { "origin upper", j => j["origin"] = Uuid.ToUpperInvariant(), "origin: must be a UUID (lower-case 8-4-4-4-12 hexadecimal digits)" },
        { "version chars", j => j["version"] = "1.0 beta", "version: '1.0 beta' has characters outside A-Z a-z 0-9 . _ / + -" },
        { "state bad", j => j["state"] = "ready", "state: 'ready' is not one of active, unactivated, disabled, failed, creating" },
        { "state number", j => j["state"] = 1, "state: must be a string, not 1" },
        { "public string", j => j["public"] = "yes", "public: must be a boolean (true or false), not \"yes\"" },
        { "public number", j => j["public"] = 1, "public: must be a boolean (true or false), not 1" },
        { "disabled null", j => j["disabled"] = null, "disabled: must be a boolean (true or false), not null" },
        { "published_at no zone", j => j["published_at"] = "2024-01-02T03:04:05", "published_at: \"2024-01-02T03:04:05\" is not a date in YYYY-MM-DDTHH:MM:SS(.SSS)Z format" },
        { "published_at month 13", j => j["published_at"] = "2024-13-02T03:04:05Z", "published_at: \"2024-13-02T03:04:05Z\" is not a date in YYYY-MM-DDTHH:MM:SS(.SSS)Z format" },
        { "published_at number", j => j["published_at"] = 1700000000, "published_at: 1700000000 is not a date in YYYY-MM-DDTHH:MM:SS(.SSS)Z format" },
        { "published_at needed", j => { j.Remove("published_at"); j["activated"] = true; }, "published_at: is required when activated is true" },
        { "homepage ftp", j => j["homepage"] = "ftp://x", "homepage: 'ftp://x' is not an http or https URL" },
        { "description number", j => j["description"] = 5, "description: must be a string, not 5" },
        { "unknown field", j => j["colour"] = "blue", "colour: is not a manifest field" },
        { "nic_driver on zone", j => j["nic_driver"] = "virtio", "nic_driver: is only valid for an image of type zvol (this one is zone-dataset)" },
        { "image_size on zone", j => j["image_size"] = 10240, "image_size: is only valid for an image of type zvol (this one is zone-dataset)" },
        { "acl bad", j => j["acl"] = new JsonArray(Uuid, "x"), "acl: item 1 is not a UUID: \"x\"" },
        { "tags array", j => j["tags"] = new JsonArray(), "tags: must be an object" },
        { "users bad", j => j["users"] = new JsonArray(new JsonObject { ["id"] = 1 }), "users: entry {\"id\":1} must be an object with only a \"name\"" },
        { "billing_tags string", j => j["billing_tags"] = "x", "billing_tags: must be an array of strings" },
        { "traits number", j => j["traits"] = new JsonObject { ["n"] = 1 }, "traits: 'n' must be a string, a boolean or an array" },
        { "inherited on lx", j => { j["type"] = "lx-dataset"; j["inherited_directories"] = new JsonArray("/opt"); },
            "inherited_directories: is only valid for an image of type zone-dataset" },
        { "requirements array", j => j["requirements"] = new JsonArray(), "requirements: must be an object" },
        { "bootrom without brand", j => j["requirements"] = new JsonObject { ["bootrom"] = "uefi" },
            "requirements.bootrom: needs requirements.brand set to \"bhyve\"" },
        { "bootrom on joyent", j => j["requirements"] = new JsonObject { ["brand"] = "joyent", ["bootrom"] = "bios" },
            "requirements.bootrom: is not supported with brand 'joyent' (only bhyve)" },
        { "bootrom bad", j => j["requirements"] = new JsonObject { ["brand"] = "bhyve", ["bootrom"] = "coreboot" },
            "requirements.bootrom: \"coreboot\" is not one of bios, uefi" },
        { "brand number", j => j["requirements"] = new JsonObject { ["brand"] = 5 }, "requirements.brand: must be a string, not 5" },
        { "ssh_key string", j => j["requirements"] = new JsonObject { ["ssh_key"] = "yes" }, "requirements.ssh_key: must be a boolean, not \"yes\"" },
        { "min_ram fraction", j => j["requirements"] = new JsonObject { ["min_ram"] = 1.5 }, "requirements.min_ram: must be a positive integer (MiB), not 1.5" },
        { "ram interval", j => j["requirements"] = new JsonObject { ["min_ram"] = 1024, ["max_ram"] = 512 },
            "requirements.max_ram: must be at least min_ram (1024), is 512" },
        { "min_platform bad", j => j["requirements"] = new JsonObject { ["min_platform"] = new JsonObject { ["7.0"] = "2011-01-01" } },
            "requirements.min_platform: '7.0': \"2011-01-01\" is not a platform version (YYYYMMDDTHHMMSSZ)" },
        { "max_platform empty", j => j["requirements"] = new JsonObject { ["max_platform"] = new JsonObject() },
            "requirements.max_platform: must be an object of SDC version to platform (YYYYMMDDTHHMMSSZ)" },
        { "networks bad", j => j["requirements"] = new JsonObject { ["networks"] = new JsonArray(new JsonObject { ["name"] = "net0" }) },
            "requirements.networks: entry {\"name\":\"net0\"} must be an object with only \"name\" and \"description\"" },
        { "unknown requirement", j => j["requirements"] = new JsonObject { ["gpu"] = true }, "requirements.gpu: is not a supported requirement" },
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
        { "owner bad", j => j["owner"] = "me", "owner: must be a UUID (lower-case 8-4-4-4-12 hexadecimal digits)" },
        { "files missing", j => j.Remove("files"), "files: is required (one entry describing the image file)" },
        { "files object", j => j["files"] = new JsonObject(), "files: must be an array" },
        { "files empty", j => j["files"] = new JsonArray(), "files: must have exactly one entry, has 0" },
        { "files two", j => j["files"]!.AsArray().Add(new JsonObject()), "files: must have exactly one entry, has 2" },
        { "sha1 missing", j => j["files"]![0]!.AsObject().Remove("sha1"), "files[0].sha1: is required" },
        { "sha1 short", j => j["files"]![0]!["sha1"] = "abc", "files[0].sha1: 'abc' is not 40 hexadecimal digits" },
        { "size missing", j => j["files"]![0]!.AsObject().Remove("size"), "files[0].size: is required" },
        { "size negative", j => j["files"]![0]!["size"] = -1, "files[0].size: must be a positive integer" },
        { "size zero", j => j["files"]![0]!["size"] = 0, "files[0].size: must be a positive integer" },
        { "size string", j => j["files"]![0]!["size"] = "12", "files[0].size: must be a positive integer" },
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
    [InlineData("{", "Invalid JSON in image manifest m.json: malformed JSON")]
    [InlineData("[1]", "(manifest): must be a JSON object")]
    [InlineData("null", "(manifest): must be a JSON object")]
    public void Non_objects_are_rejected(string text, string expected)
    {
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse(text, "m.json"));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Uppercase_sha1_is_normalised_for_comparison()
    {
        var json = Valid();
        json["files"]![0]!["sha1"] = "97F20B32C2016782257176FB58A35E5044F05840";
        var manifest = ImageManifest.Parse(json.ToJsonString(), "m.json");
        Assert.Equal("97f20b32c2016782257176fb58a35e5044f05840", manifest.File.Sha1);
    }

    [Fact]
    public void Every_field_imgmanifest_knows_is_accepted_with_a_valid_value()
    {
        var json = Valid();
        json["urn"] = "sdc:sdc:base-64:23.4.0";
        json["description"] = "a base image";
        json["homepage"] = "https://docs.tritondatacenter.com/";
        json["eula"] = "http://example.com/eula";
        json["disabled"] = "false";
        json["activated"] = true;
        json["state"] = "active";
        json["public"] = "true";
        json["origin"] = "5b2e2b8f-4ae6-4a4b-9c3e-1f0d2c3b4a59";
        json["error"] = new JsonObject { ["message"] = "none" };
        json["icon"] = false;
        json["acl"] = new JsonArray(Uuid);
        json["requirements"] = new JsonObject
        {
            ["brand"] = "joyent", ["ssh_key"] = true, ["min_ram"] = 256, ["max_ram"] = 256,
            ["min_platform"] = new JsonObject { ["7.0"] = "20130308T102805Z" },
            ["networks"] = new JsonArray(new JsonObject { ["name"] = "net0", ["description"] = "public" }),
        };
        json["users"] = new JsonArray(new JsonObject { ["name"] = "admin" });
        json["billing_tags"] = new JsonArray("small");
        json["traits"] = new JsonObject { ["ssd"] = true, ["hw"] = "x", ["list"] = new JsonArray() };
        json["tags"] = new JsonObject { ["role"] = "db" };
        json["generate_passwords"] = true;
        json["inherited_directories"] = new JsonArray("/opt");
        json["channels"] = new JsonArray("release");
        json["published_at"] = "2024-01-02T03:04:05.678Z";
        Assert.Empty(ImageManifest.Validate(json));
    }

    [Fact]
    public void A_zvol_with_its_drivers_and_a_bhyve_bootrom_validates()
    {
        var json = Valid();
        json["type"] = "zvol";
        json["nic_driver"] = "virtio";
        json["disk_driver"] = "virtio";
        json["cpu_type"] = "host";
        json["image_size"] = 10240;
        json["requirements"] = new JsonObject { ["brand"] = "bhyve", ["bootrom"] = "uefi" };
        Assert.Empty(ImageManifest.Validate(json));
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
        Assert.StartsWith("Invalid JSON in image manifest m.json at line 1, column ", ex.Message);
        Assert.EndsWith(": the key \"v\" appears twice in one object", ex.Message);
        Assert.Null(ImageManifest.TryParse(text));
    }

    [Fact]
    public void A_lone_surrogate_is_a_sentence_not_a_crash()
    {
        var ex = Assert.Throws<SolsticeException>(() => ImageManifest.Parse("{\"name\": \"\\ud800\"}", "m.json"));
        Assert.StartsWith("Invalid JSON in image manifest m.json at line 1, column ", ex.Message);
        Assert.EndsWith("(it holds a lone UTF-16 surrogate escape)", ex.Message);
    }
}
