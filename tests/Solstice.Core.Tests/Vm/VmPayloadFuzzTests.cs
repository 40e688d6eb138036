using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Solstice.Core.Vm;
using Xunit.Abstractions;
using static Solstice.Core.Tests.Vm.VmTestData;

namespace Solstice.Core.Tests.Vm;

/// <summary>
/// The vmadm payload path in process, as the CLI and the daemon run it: the text is read strictly
/// (<see cref="StrictJson"/>, or <c>key=value</c> arguments through <see cref="VmPayload.FromKeyValues"/>),
/// validated for create or update with the node checks, its dropped properties removed, then applied
/// (<see cref="VmDefaults.CreateVm"/> or <see cref="VmUpdater.Apply"/>) and checked for NIC conflicts against
/// other VMs. A crash is any exception other than the domain's clean <see cref="SolsticeException"/>.
/// SOLSTICE_FUZZ_INPUTS sets the number of inputs (default 20,000, seconds; the documented long run is
/// 1,000,000); SOLSTICE_FUZZ_SEED replays a run.
/// </summary>
public class VmPayloadFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] s_keys =
    [
        .. VmProperties.All.Select(p => p.Name),
        "set_tags", "remove_tags", "set_customer_metadata", "remove_customer_metadata", "set_internal_metadata",
        "remove_internal_metadata", "set_routes", "remove_routes", "add_nics", "update_nics", "remove_nics",
        "add_filesystems", "update_filesystems", "remove_filesystems", "add_disks", "bogus", "", "nics.0.ip",
    ];

    private static readonly string[] s_nicKeys = [.. VmProperties.NicProperties.Select(p => p.Name), "bogus"];

    private static readonly string[] s_strings =
    [
        "", " ", "joyent", "joyent-minimal", "lx", "kvm", "bhyve", "sngl", ImageUuid, ImageUuid.ToUpperInvariant(), Uuid,
        "00000000-0000-0000-0000-000000000000", "zones", "nope", "10.0.0.5/24", "127.0.0.1/8", "255.255.255.255/32",
        "224.0.0.1/4", "0.0.0.0/0", "10.0.0.0/24", "10.0.0.255/24", "dhcp", "addrconf", "fe80::1/64", "::1/128", "ff02::1/16",
        "10.0.0.1", "255.255.255.0", "90:b8:d0:c0:ff:ee", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
        "external", "admin", "bad tag", "net0", "nics[0]", "macs[90:b8:d0:c0:ff:ee]", "/mnt", "lofs", "mnt", "4.3.0",
        "default,dtrace_user", "a,b,,c", "true", "false", "0", "-1", "8589934592", "99999999999999999999", "1e400", "lz4",
        "\u2028", "\u00e9", "\U0001F600", "a\nb", "\0", new string('x', 600),
    ];

    private static readonly JsonNode?[] s_numbers =
    [
        0, 1, -1, 2, 256, 576, 9000, 4095, 4096, 65535, 65536, 131072, 8589934591L, 8589934592L, long.MaxValue, long.MinValue,
        int.MaxValue, 1.5, 1e300, 9.0e15, -0.0,
    ];

    private static readonly string s_seed = """
        {"brand": "joyent", "image_uuid": "@img", "alias": "web", "ram": 1024, "quota": 20, "cpu_shares": 100,
         "max_lwps": 2000, "zfs_io_priority": 100, "max_swap": 2048, "tmpfs": 512, "autoboot": false,
         "resolvers": ["8.8.8.8"], "customer_metadata": {"user-script": "#!/bin/sh"}, "tags": {"role": "web"},
         "nics": [{"nic_tag": "external", "ips": ["10.0.0.5/24"], "gateways": ["10.0.0.1"], "primary": true},
                  {"nic_tag": "admin", "ip": "192.168.1.5", "netmask": "255.255.255.0", "mac": "90:b8:d0:c0:ff:ee"}],
         "filesystems": [{"type": "lofs", "source": "/data", "target": "/mnt", "options": ["ro"]}]}
        """.Replace("@img", ImageUuid, StringComparison.Ordinal);

    private static readonly string s_updateSeed = """
        {"alias": "db", "ram": 2048, "quota": 0, "set_tags": {"a": "b"}, "remove_tags": ["role"],
         "add_nics": [{"nic_tag": "external", "ips": ["10.0.0.9/24"]}], "update_nics": [{"mac": "90:b8:d0:c0:ff:ee", "ips": []}],
         "remove_nics": ["90:b8:d0:c0:ff:ee"], "billing_id": "free form"}
        """;

    [Fact]
    public void Payloads_never_crash_the_path_from_cli_to_daemon()
    {
        int inputs = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FUZZ_INPUTS"), out int n) && n > 0 ? n : 20_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FUZZ_SEED"), out int s) ? s : 20261207;
        var random = new Random(seed);
        var baseVm = VmDefaults.CreateVm(JsonNode.Parse(s_seed)!.AsObject(), Facts());
        var other = VmDefaults.CreateVm(JsonNode.Parse(s_seed.Replace("90:b8:d0:c0:ff:ee", "90:b8:d0:c0:ff:01", StringComparison.Ordinal))!.AsObject(),
            Facts() with { NewUuid = () => Guid.Parse("930896af-bf8c-48d4-885c-6573a94b1853") });
        var node = new VmValidationContext(pool => pool == "zones", (image, _) => image == ImageUuid ? null : "not installed");
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < inputs; i++)
        {
            string input = (i % 5) switch
            {
                0 => Mutate(random, s_seed),
                1 => Mutate(random, s_updateSeed),
                2 => VmJson.Stringify(RandomPayload(random)),
                3 => RandomBytesText(random),
                _ => "",
            };
            string outcome;
            try
            {
                outcome = Run(random, i, input, baseVm, other, node);
            }
            catch (SolsticeException ex)
            {
                AssertSentence(ex.Message);
                outcome = "refused:" + ex.Code;
            }
            catch (Exception ex)
            {
                Assert.Fail($"input {i} (seed {seed}) crashed with {ex.GetType().Name}: {ex.Message}\n{input}\n{ex.StackTrace}");
                return;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        clock.Stop();
        output.WriteLine($"seed {seed}: {inputs} inputs in {clock.Elapsed.TotalSeconds:F2} s ({inputs / clock.Elapsed.TotalSeconds:F0} inputs/s), 0 crashes");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            output.WriteLine($"  {outcome}: {count}");
        Assert.True(outcomes.Keys.Count(k => !k.StartsWith("refused", StringComparison.Ordinal)) >= 2, "the fuzzer never got past validation");
    }

    private static string Run(Random random, int i, string input, JsonObject baseVm, JsonObject other, VmValidationContext node)
    {
        JsonObject payload;
        if (i % 7 == 6)
            payload = VmPayload.FromKeyValues(input.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(6));
        else
            payload = StrictJson.ParseObject(input, "payload");
        bool create = (i & 1) == 0;
        if (create && payload["image_uuid"] is null && random.Next(4) != 0)
            payload["image_uuid"] = ImageUuid; // most creates get past the required property, to reach defaults and conflicts
        string brand = random.Next(4) switch { 0 => "lx", 1 => "joyent-minimal", 2 => "kvm", _ => "joyent" };
        var result = VmValidator.Validate(payload, create ? VmAction.Create : VmAction.Update, create ? VmJson.AsString(payload["brand"]) : brand, node);
        _ = result.ToJson();
        _ = result.Message;
        if (result.IsFatal)
        {
            Assert.False(string.IsNullOrWhiteSpace(result.FailureMessage));
            return "invalid";
        }
        var cleaned = result.WithoutDroppedProperties(payload);
        if (create)
        {
            var vm = VmDefaults.CreateVm(cleaned, Facts());
            VmNicConflicts.Check(vm, null, [other]);
            return "created";
        }
        var vmForBrand = brand == "joyent" ? baseVm : baseVm.DeepClone().AsObject();
        vmForBrand["brand"] = brand;
        var updated = VmUpdater.Apply(vmForBrand, cleaned, CountingBytes());
        VmNicConflicts.Check(updated.Vm, vmForBrand, [other]);
        return "updated";
    }

    /// <summary>A message a user can read: words, not starting (or continuing after ": ") with a runtime resource key such as ExpectedStartOfValueNotFound or Argument_AddingDuplicate; echoed input may hold anything.</summary>
    internal static void AssertSentence(string message)
    {
        Assert.Contains(" ", message, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(^|: )([A-Z][a-z]+(_[A-Za-z]+)+\b|[A-Z][a-z]+([A-Z][a-z]+){2,}(,|$))", message);
    }

    private static JsonObject RandomPayload(Random random)
    {
        var payload = new JsonObject();
        int count = random.Next(1, 8);
        for (int i = 0; i < count; i++)
            payload[s_keys[random.Next(s_keys.Length)]] = RandomValue(random, 0, nic: false);
        return payload;
    }

    private static JsonNode? RandomValue(Random random, int depth, bool nic)
    {
        switch (random.Next(depth > 2 ? 4 : 7))
        {
            case 0:
                return null;
            case 1:
                return JsonValue.Create(random.Next(2) == 0);
            case 2:
                return s_numbers[random.Next(s_numbers.Length)]?.DeepClone();
            case 3:
                return JsonValue.Create(s_strings[random.Next(s_strings.Length)]);
            case 4:
                var array = new JsonArray();
                for (int i = random.Next(4); i > 0; i--)
                    array.Add(RandomValue(random, depth + 1, nic));
                return array;
            case 5:
                var nics = new JsonArray();
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    var element = new JsonObject();
                    for (int j = random.Next(1, 5); j > 0; j--)
                        element[s_nicKeys[random.Next(s_nicKeys.Length)]] = RandomValue(random, depth + 2, nic: true);
                    nics.Add(element);
                }
                return nics;
            default:
                var map = new JsonObject();
                for (int i = random.Next(3); i > 0; i--)
                    map[s_strings[random.Next(s_strings.Length)]] = RandomValue(random, depth + 1, nic);
                return map;
        }
    }

    private static readonly string[] s_splices =
    [
        "\"", "\\", "\\ud800", "\\udc00", "\\u0000", ",", ":", "{", "}", "[", "]", "null", "0", "-", "1e99", "\"alias\":1,",
        "\"alias\":\"x\",\"alias\":\"y\",", "\"ram\":0,", "\"quota\":8589934592,", "\"uuid\":\"54F1CC77-68F1-42AB-ACAC-5C4F64F5D6E0\",",
        "\"ips\":[\"127.0.0.1/8\"],", "\"mac\":\"ff:ff:ff:ff:ff:ff\",", " ", "\n", "\u00ff", "\U0001F600",
    ];

    private static string Mutate(Random random, string seed)
    {
        var sb = new StringBuilder(seed);
        for (int edits = random.Next(0, 3); edits > 0; edits--)
        {
            int at = random.Next(sb.Length + 1);
            switch (random.Next(4))
            {
                case 0 when sb.Length > 0:
                    sb.Remove(Math.Min(at, sb.Length - 1), Math.Min(random.Next(1, 12), sb.Length - Math.Min(at, sb.Length - 1)));
                    break;
                case 1:
                    sb.Insert(at, s_splices[random.Next(s_splices.Length)]);
                    break;
                case 2:
                    sb.Insert(at, (char)random.Next(0x20, 0x7f));
                    break;
                default:
                    var text = sb.ToString();
                    int quote = text.IndexOf('"', at < text.Length ? at : 0);
                    if (quote >= 0)
                        sb.Insert(quote + 1, s_splices[random.Next(1, 5)]);
                    break;
            }
        }
        return sb.ToString();
    }

    private static string RandomBytesText(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0)
            bytes[0] = (byte)'{';
        return Encoding.UTF8.GetString(bytes) + (random.Next(3) == 0 ? "=" + random.Next().ToString(CultureInfo.InvariantCulture) : "");
    }
}
