using System.Text;
using System.Text.Json.Nodes;
using Solstice.Storage;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// imgadm list output byte for byte (Golden/imgadm-list.txt) over manifests that exercise the
/// formatting corners: non-ASCII text, numeric and text sort keys, ties, missing values,
/// non-canonical published_at, nested fields and cells with trailing spaces.
/// </summary>
public sealed class ImgadmListFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public ImgadmListFormatTests()
    {
        _config = _dir.Combine("node.json");
        new NodeConfig { Pools = [new PoolConfig { Name = "zones", Driver = "dir", Mountpoint = _dir.Combine("zones") }] }.Save(_config);
        Assert.Equal(0, CliHarness.Run(_config, "solstice", "setup").ExitCode);
    }

    public void Dispose() => _dir.Dispose();

    private static readonly (string Name, string Version, string? Published, string? Description, string Role)[] s_images =
    [
        ("base", "10", "2024-05-06T07:08:09.123Z", "A base image", "os"),
        ("base", "9", "2024-05-06T07:08:09.123Z", "trailing spaces   ", "os"),
        ("base", "1.5", "2024-05-06T07:08:09Z", null, "db"),
        ("cafe", "2.0.0", "2023-12-31T23:59:59.999Z", "non-ASCII ✓ café", "app"),
        ("nihongo", "1", "2025-01-01T02:00:00+02:00", "日本語 offset date", "app"),
        ("zeta", "v3", null, "never published", "os"),
        ("Alpha", "001", "2022-02-02T02:02:02.000Z", "upper case sorts first", "db"),
        ("beta", "-3", "2022-02-02T02:02:02.000Z", "a negative version", "app"),
    ];

    [Fact]
    public void List_output_is_unchanged_for_every_format()
    {
        var index = _dir.Combine("zones", "images");
        Directory.CreateDirectory(index);
        for (int i = 0; i < s_images.Length; i++)
        {
            var (name, version, published, description, role) = s_images[i];
            var uuid = new Guid($"{i + 1:x8}-0000-4000-8000-00000000000{i % 10}");
            var manifest = new JsonObject
            {
                ["v"] = 2,
                ["uuid"] = uuid.ToString(),
                ["owner"] = "00000000-0000-0000-0000-000000000000",
                ["name"] = name,
                ["version"] = version,
                ["state"] = "active",
                ["disabled"] = i % 3 == 0,
                ["public"] = true,
                ["type"] = i % 2 == 0 ? "zone-dataset" : "lx-dataset",
                ["os"] = "linux",
                ["tags"] = new JsonObject { ["role"] = role, ["n"] = i },
                ["requirements"] = new JsonObject { ["brand"] = "joyent" },
                ["files"] = new JsonArray(new JsonObject { ["sha1"] = new string('0', 40), ["size"] = 1000 * (i + 1), ["compression"] = "gzip" }),
            };
            if (published is not null)
                manifest["published_at"] = published;
            if (description is not null)
                manifest["description"] = description;
            File.WriteAllText(Path.Combine(index, $"{uuid}.json"), manifest.ToJsonString());
        }
        string[][] invocations =
        [
            ["list"],
            ["list", "-H"],
            ["list", "-o", "uuid,name,version,published_date,size,zpool,tags.role,description", "-s", "-version,name"],
            ["list", "-H", "-o", "name,version", "-s", "version"],
            ["list", "-o", "name,disabled,public,tags.n,files.0.size,requirements,pub", "-s", "disabled,-tags.n"],
            ["list", "-o", "name,type", "type=lx-dataset"],
            ["list", "-o", "name,published", "name=~a", "-s", "published"],
            ["list", "-H", "-o", "name", "tags.role=os"],
            ["list", "-o", "description,name", "-s", "name"],
            ["list", "-j", "-s", "name"],
        ];
        var transcript = new StringBuilder();
        foreach (string[] args in invocations)
        {
            var result = CliHarness.Run(_config, "imgadm", args);
            Assert.True(result.ExitCode == 0, result.Error);
            transcript.Append("$ imgadm ").AppendJoin(' ', args).Append('\n').Append(result.Out);
        }
        Golden.Assert("imgadm-list.txt", transcript.ToString());
    }
}
