using System.Buffers;
using System.Text;
using Solstice.Metadata.Tests.Support;

namespace Solstice.Metadata.Tests;

/// <summary>
/// Random and mutated input through the codec, the handler and whole sessions: nothing may
/// throw, and whatever V2 answer comes out must be a frame a client accepts, for the request's id.
/// SOLSTICE_FUZZ_SCALE multiplies the iteration counts (the default runs 1,000,000 codec inputs
/// and 200,000 session lines in a few seconds).
/// </summary>
public class FuzzTests
{
    private static readonly int s_scale = int.TryParse(Environment.GetEnvironmentVariable("SOLSTICE_FUZZ_SCALE"), out int scale) && scale > 0 ? scale : 1;

    private static readonly string[] s_tokens =
    [
        "V2", "V2 ", " ", "  ", "\t", "\r", "\v", "\f", "GET", "KEYS", "PUT", "DELETE", "NEGOTIATE", "V2_OK", "SUCCESS",
        "0", "1", "29", "4294967296", "99999999999999999999", "63185240", "0badf00d", "deadbeef", "DEADBEEF", "ffffffff",
        "dXNlci1zY3JpcHQ=", "c2RjOnV1aWQ=", "=", "==", "-_", "+/", "sdc:", "sdc:nics.0.ip", "root_pw", "docker:cmd",
        "ü", "\u2028", "\u00a0", "\0", "\xff", ".", "..",
    ];

    private readonly TestVm _vm = new();

    [Fact]
    public async Task A_million_random_and_mutated_lines_never_throw_and_answer_valid_frames()
    {
        var random = new Random(20260823);
        var limits = new MetadataLimits { MaxValueBytes = 512 };
        int count = 0;
        var store = new VmMetadataStore(() => _vm.Vm, (payload, _) =>
        {
            // Exercise the failure path now and then; never grow the VM.
            if ((count & 15) == 0)
                throw new InvalidOperationException("nope");
            return ValueTask.CompletedTask;
        });
        var handler = new MetadataHandler(store, limits);
        var output = new ArrayBufferWriter<byte>();
        var seeds = Seeds();
        int iterations = 1_000_000 * s_scale;
        var kinds = new int[4];
        for (int i = 0; i < iterations; i++, count++)
        {
            byte[] line = (i % 4) switch
            {
                0 => RandomBytes(random),
                1 => Mutate(random, seeds[random.Next(seeds.Length)]),
                2 => Tokens(random),
                _ => Reframe(random, seeds[random.Next(seeds.Length)]),
            };
            var request = MetadataCodec.ParseRequest(line);
            kinds[(int)request.Kind]++;
            var pending = handler.ExecuteAsync(request, CancellationToken.None);
            Assert.True(pending.IsCompleted);
            var reply = await pending;
            output.ResetWrittenCount();
            MetadataCodec.WriteReply(request, reply, output);
            Check(request, output.WrittenSpan);
        }
        // The mix reaches every path: bare answers, drops, V1 commands and checked V2 frames.
        Assert.All(kinds, k => Assert.True(k > iterations / 50, string.Join(",", kinds)));
    }

    [Fact]
    public async Task Sessions_survive_random_streams_in_random_chunks()
    {
        var random = new Random(7);
        var seeds = Seeds();
        var limits = new MetadataLimits { MaxValueBytes = 200 };
        int lines = 0;
        int target = 200_000 * s_scale;
        while (lines < target)
        {
            var input = new MemoryStream();
            int n = random.Next(1, 100);
            for (int j = 0; j < n; j++)
            {
                byte[] line = random.Next(3) switch
                {
                    0 => RandomBytes(random),
                    1 => Mutate(random, seeds[random.Next(seeds.Length)]),
                    _ => random.Next(50) == 0 ? Encoding.ASCII.GetBytes(Frames.Put("00000001", "k", new string('x', random.Next(100, 3000)))) : Tokens(random),
                };
                input.Write(line);
                if (random.Next(10) != 0)
                    input.WriteByte((byte)'\n');
            }
            lines += n;
            var stream = new ScriptedStream(input.ToArray(), random.Next(1, 64));
            var session = new MetadataSession(stream, new MetadataHandler(_vm.Store, limits), limits, new TokenBucket(1e9, 1_000_000));
            Assert.Equal(MetadataSessionEnd.Closed, await session.RunAsync(CancellationToken.None));
        }
    }

    [Fact]
    public void Well_formed_requests_round_trip_through_the_codec()
    {
        var random = new Random(3);
        var output = new ArrayBufferWriter<byte>();
        string[] ops = ["GET", "KEYS", "PUT", "DELETE", "FROB"];
        for (int i = 0; i < 100_000 * s_scale; i++)
        {
            string reqid = MetadataClient.NewRequestId();
            string op = ops[random.Next(ops.Length)];
            var argument = new byte[random.Next(0, 40)];
            random.NextBytes(argument);
            output.ResetWrittenCount();
            MetadataCodec.WriteV2Frame(reqid, op, argument, hasPayload: argument.Length > 0, output);
            var line = output.WrittenSpan[..^1];
            Assert.True(MetadataCodec.TryParseFrame(line, out var frame));
            Assert.Equal((reqid, op), (frame!.RequestId, frame.Word));
            Assert.Equal(argument, frame.Payload);
            var request = MetadataCodec.ParseRequest(line);
            Assert.Equal(MetadataRequestKind.V2, request.Kind);
            Assert.Equal((reqid, op, Encoding.UTF8.GetString(argument)), (request.RequestId, request.Command, request.Argument));
        }
    }

    /// <summary>Whatever was answered is well-formed: V2 frames parse and carry the request id; drops write nothing.</summary>
    private static void Check(MetadataRequest request, ReadOnlySpan<byte> written)
    {
        switch (request.Kind)
        {
            case MetadataRequestKind.Drop:
                Assert.Equal(0, written.Length);
                return;
            case MetadataRequestKind.InvalidCommand:
                Assert.True(written.SequenceEqual("invalid command\n"u8));
                return;
            case MetadataRequestKind.V2:
                Assert.Equal((byte)'\n', written[^1]);
                Assert.Equal(-1, written[..^1].IndexOf((byte)'\n'));
                Assert.True(MetadataCodec.TryParseFrame(written[..^1], out var frame), Encoding.ASCII.GetString(written));
                Assert.Equal(request.RequestId, frame!.RequestId);
                return;
            default:
                Assert.True(written.Length > 0 && written[^1] == '\n');
                return;
        }
    }

    private static byte[][] Seeds() =>
    [
        .. new[]
        {
            "V2 29 63185240 0badf00d GET dXNlci1zY3JpcHQ=", "V2 13 3d6e4dd7 12345678 KEYS", "V2 37 cfdb4c39 cafebabe PUT YUdWc2JHOD0gZDI5eWJHUT0=",
            "V2 24 20462239 cafebabe DELETE aGVsbG8=", "V2 25 9a8444e4 0badf00d GET c2RjOnV1aWQ=", "NEGOTIATE V2", "GET user-script", "KEYS", "",
            Frames.Request("00000001", "GET", "sdc:routes"), Frames.Request("00000002", "GET", "sdc:nics.0.mac"), Frames.Put("00000003", "root_pw", "x"),
            Frames.Put("00000004", "docker:x", "y"), Frames.Request("00000005", "DELETE", "sdc:uuid"), Frames.Request("00000006", "NEGOTIATE", "V2"),
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
                bytes[i] = (byte)' ';
        }
        return bytes;
    }

    private static byte[] Tokens(Random random)
    {
        var sb = new StringBuilder();
        int n = random.Next(1, 9);
        for (int i = 0; i < n; i++)
            sb.Append(s_tokens[random.Next(s_tokens.Length)]);
        return Encoding.UTF8.GetBytes(sb.ToString().Replace('\n', ' '));
    }

    /// <summary>Flips, inserts, deletes, truncates or duplicates a few bytes.</summary>
    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    int length = Math.Min(bytes.Count - at, random.Next(1, 10));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }
        for (int i = 0; i < bytes.Count; i++)
        {
            if (bytes[i] == '\n')
                bytes[i] = (byte)'\t';
        }
        return [.. bytes];
    }

    /// <summary>A seed's body with a recomputed, valid header, so mutations also reach the op/payload logic.</summary>
    private static byte[] Reframe(Random random, byte[] seed)
    {
        string text = Encoding.UTF8.GetString(seed);
        if (!text.StartsWith("V2 ", StringComparison.Ordinal))
            return seed;
        string body = string.Join(' ', text.Split(' ').Skip(3));
        var mutated = Encoding.ASCII.GetString(Mutate(random, Encoding.ASCII.GetBytes(body)));
        return Encoding.UTF8.GetBytes(Frames.Frame(mutated));
    }
}
