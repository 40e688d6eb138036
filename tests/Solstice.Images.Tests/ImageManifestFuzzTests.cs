using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Solstice.Core;
using Xunit.Abstractions;

namespace Solstice.Images.Tests;

/// <summary>
/// Random and mutated manifests through the path imgadm install -m and publish -m read a user's manifest by,
/// <see cref="ImageManifest.Parse"/> (strict JSON, then the install rules): a crash is any
/// exception other than the domain's clean <see cref="SolsticeException"/>, and every refusal is a sentence. SOLSTICE_FUZZ_INPUTS sets the number of
/// inputs (default 20,000, seconds; the documented long run is 1,000,000); SOLSTICE_FUZZ_SEED replays a run.
/// </summary>
public sealed partial class ImageManifestFuzzTests(ITestOutputHelper output)
{
    private const string Seed = """
        {"v": 2, "uuid": "2b8f4ae6-5b2e-4a4b-9c3e-1f0d2c3b4a59", "owner": "00000000-0000-0000-0000-000000000000",
         "name": "base-64", "version": "23.4.0", "type": "zone-dataset", "os": "smartos", "state": "active",
         "disabled": false, "public": true, "published_at": "2024-01-02T03:04:05Z",
         "requirements": {"brand": "joyent", "min_platform": {"7.0": "20141030T081701Z"}},
         "tags": {"role": "db"}, "origin": "7b0b4140-6e98-11e5-b1ae-ff68fe257228",
         "files": [{"sha1": "97f20b32c2016782257176fb58a35e5044f05840", "size": 123456, "compression": "gzip"}]}
        """;

    private static readonly string[] s_splices =
    [
        "\"", "\\", "\\ud800", "\\udfff", "\\u0000", ",", ":", "{", "}", "[", "]", "null", "true", "0", "-1", "1e999",
        "2.5", "\"v\":2,", "\"uuid\":\"2B8F4AE6-5B2E-4A4B-9C3E-1F0D2C3B4A59\",", "\"uuid\":\"00000000-0000-0000-0000-000000000000\",",
        "\"type\":\"zvol\",", "\"public\":\"yes\",", "\"published_at\":\"yesterday\",", "\"state\":\"gone\",",
        "\"files\":[],", "\"files\":[{}],", "\"size\":-5,", "\"requirements\":{\"bootrom\":7},", "\"name\":\"x\",\"name\":\"y\",",
        " ", "\n", "\u00e9", "\U0001F600",
    ];

    private static readonly JsonNode?[] s_values =
    [
        null, true, false, 0, 2, -1, 1.5, long.MaxValue, 1e300, "", "x", "2024-01-02T03:04:05Z", "zone-dataset", "zvol",
        "smartos", "gzip", "2b8f4ae6-5b2e-4a4b-9c3e-1f0d2c3b4a59", "\ud800".Length > 0 ? "\u00e9" : "", new string('a', 600),
    ];

    private static readonly string[] s_keys =
    [
        "v", "uuid", "owner", "name", "version", "type", "os", "state", "disabled", "public", "published_at", "requirements",
        "tags", "origin", "files", "sha1", "size", "compression", "brand", "bootrom", "min_platform", "image_size", "bogus",
    ];

    [Fact]
    public void Manifests_never_crash_the_imgadm_manifest_path()
    {
        int inputs = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FUZZ_INPUTS"), out int n) && n > 0 ? n : 20_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FUZZ_SEED"), out int s) ? s : 20261207;
        var random = new Random(seed);
        int parsed = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < inputs; i++)
        {
            string input = (i % 4) switch
            {
                0 or 1 => Mutate(random, Seed),
                2 => RandomManifest(random).ToJsonString(),
                _ => RandomText(random),
            };
            try
            {
                var manifest = ImageManifest.Parse(input, "fuzz.json");
                _ = manifest.ToJsonString();
                parsed++;
            }
            catch (SolsticeException ex)
            {
                Assert.Contains(" ", ex.Message, StringComparison.Ordinal);
                Assert.DoesNotMatch(ResourceKey(), ex.Message);
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"input {i} (seed {seed}) crashed with {ex.GetType().Name}: {ex.Message}\n{input}\n{ex.StackTrace}");
            }
        }
        clock.Stop();
        output.WriteLine($"seed {seed}: {inputs} inputs in {clock.Elapsed.TotalSeconds:F2} s ({inputs / clock.Elapsed.TotalSeconds:F0} inputs/s), " +
            $"{parsed} parsed, {refused} refused, 0 crashes");
        Assert.True(parsed > 0, "no mutated manifest ever parsed");
    }

    [GeneratedRegex(@"(^|: )([A-Z][a-z]+(_[A-Za-z]+)+\b|[A-Z][a-z]+([A-Z][a-z]+){2,}(,|$))")]
    private static partial Regex ResourceKey();

    private static JsonObject RandomManifest(Random random)
    {
        var manifest = JsonNode.Parse(Seed)!.AsObject();
        for (int i = random.Next(1, 5); i > 0; i--)
        {
            string key = s_keys[random.Next(s_keys.Length)];
            manifest[key] = random.Next(4) == 0
                ? new JsonArray(new JsonObject { [s_keys[random.Next(s_keys.Length)]] = s_values[random.Next(s_values.Length)]?.DeepClone() })
                : s_values[random.Next(s_values.Length)]?.DeepClone();
        }
        return manifest;
    }

    private static string Mutate(Random random, string seed)
    {
        var sb = new StringBuilder(seed);
        for (int edits = random.Next(1, 4); edits > 0; edits--)
        {
            int at = random.Next(sb.Length + 1);
            switch (random.Next(3))
            {
                case 0 when sb.Length > 0:
                    int start = Math.Min(at, sb.Length - 1);
                    sb.Remove(start, Math.Min(random.Next(1, 10), sb.Length - start));
                    break;
                case 1:
                    sb.Insert(at, s_splices[random.Next(s_splices.Length)]);
                    break;
                default:
                    int quote = sb.ToString().IndexOf('"', Math.Min(at, sb.Length));
                    if (quote >= 0)
                        sb.Insert(quote + 1, s_splices[random.Next(1, 5)]);
                    break;
            }
        }
        return sb.ToString();
    }

    private static string RandomText(Random random)
    {
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        return (random.Next(2) == 0 ? "{" : "") + Encoding.UTF8.GetString(bytes);
    }
}
