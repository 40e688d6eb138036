using System.Text.Json.Nodes;
using Solstice.Core.Vm;

namespace Solstice.Core.Tests.Vm;

internal static class VmTestData
{
    public const string ImageUuid = "5a5d1c0a-5a4b-11e8-bd8d-6b4b3e2e5b8c";
    public const string Uuid = "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0";
    public const string ServerUuid = "44454c4c-3800-104b-8052-b2c04f4e4b31";
    public static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 30, 45, 123, TimeSpan.Zero);

    /// <summary>JSON with single quotes for readability in test rows.</summary>
    public static JsonObject J(string text) => JsonNode.Parse(text.Replace('\'', '"'))!.AsObject();

    public static string Compact(JsonNode? node) => VmJson.Stringify(node);

    /// <summary>Random bytes 0,1,2,3,4,n with n counting calls, so generated MACs are 12:01:02:03:04:0n.</summary>
    public static Func<int, byte[]> CountingBytes()
    {
        int calls = 0;
        return n =>
        {
            var bytes = new byte[n];
            for (int i = 0; i < n; i++)
                bytes[i] = (byte)i;
            bytes[n - 1] = (byte)calls++;
            return bytes;
        };
    }

    public static VmNodeFacts Facts() => new(ServerUuid, "us-west-1", "20240501T000000Z", Now)
    {
        NewUuid = () => Guid.Parse(Uuid),
        RandomBytes = CountingBytes(),
    };

    public static JsonObject Create(string payload) => VmDefaults.CreateVm(J(payload), Facts());
}
