using Solstice.Metadata.Tests.Support;

namespace Solstice.Metadata.Tests;

/// <summary>
/// V2 frames byte for byte. The literal frames were produced independently (python3 zlib.crc32 +
/// base64) and are cross-checked against the bitwise CRC in <see cref="Frames"/>.
/// </summary>
public class ProtocolV2Tests
{
    private readonly TestVm _vm = new();

    [Theory]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("", 0u)]
    [InlineData("dc4fae17 SUCCESS W10=", 0x265AE1D8u)]
    public void Crc32_matches_zlib(string text, uint expected)
    {
        Assert.Equal(expected, MetadataCrc32.Compute(System.Text.Encoding.ASCII.GetBytes(text)));
        Assert.Equal(expected, Frames.Crc32(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Crc32_agrees_with_the_bitwise_reference_on_random_data()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            Assert.Equal(Frames.Crc32(data), MetadataCrc32.Compute(data));
        }
    }

    [Fact]
    public void The_spec_example_frame_is_reproduced()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        MetadataCodec.WriteV2Reply("dc4fae17", MetadataResult.Found("[]"), output);
        Assert.Equal("V2 21 265ae1d8 dc4fae17 SUCCESS W10=\n", System.Text.Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("V2 29 63185240 0badf00d GET dXNlci1zY3JpcHQ=\n", "V2 41 0fe8e4f7 0badf00d SUCCESS IyEvYmluL3NoCmVjaG8gaGkK\n")]
    [InlineData("V2 25 9a8444e4 0badf00d GET c2RjOnV1aWQ=\n", "V2 65 a19c502c 0badf00d SUCCESS NWY4ZjZhNGUtMzFmOC00YTJkLTliMGQtMWIyYzNkNGU1ZjYw\n")]
    [InlineData("V2 37 cfdb4c39 cafebabe PUT YUdWc2JHOD0gZDI5eWJHUT0=\n", "V2 21 530252da cafebabe SUCCESS T0s=\n")]
    [InlineData("V2 24 20462239 cafebabe DELETE aGVsbG8=\n", "V2 21 530252da cafebabe SUCCESS T0s=\n")]
    [InlineData("V2 37 75b2567e cafebabe PUT YzJSak9uVjFhV1E9IGVBPT0=\n", "V2 65 54ecb55a cafebabe FAILURE Q2Fubm90IHVwZGF0ZSB0aGUgInNkYyIgTmFtZXNwYWNlLg==\n")]
    [InlineData("V2 23 3e5ccd22 abcdef01 NEGOTIATE VjI=\n", "V2 53 c8163653 abcdef01 FAILURE VW5rbm93biBjb21tYW5kIE5FR09USUFURQ==\n")]
    [InlineData("V2 12 277cfd67 abcdef01 GET\n", "V2 45 0087815b abcdef01 FAILURE SW52YWxpZCBHRVQgUmVxdWVzdA==\n")]
    public void Literal_frames_get_literal_answers(string request, string reply)
    {
        Assert.Equal(reply, _vm.Exchange(request));
    }

    [Fact]
    public void Absent_key_is_NOTFOUND_without_payload()
    {
        Assert.Equal(Frames.Reply("0badf00d", "NOTFOUND") + "\n", _vm.Exchange(Frames.Request("0badf00d", "GET", "nope") + "\n"));
        Assert.Equal("V2 17 905343a0 0badf00d NOTFOUND", Frames.Reply("0badf00d", "NOTFOUND"));
    }

    [Fact]
    public void Keys_lists_customer_then_internal_keys()
    {
        string reply = _vm.Exchange("V2 13 3d6e4dd7 12345678 KEYS\n");
        Assert.Equal(Frames.Reply("12345678", "SUCCESS", "user-script\nroot_authorized_keys\nroot_pw\ndocker:cmd") + "\n", reply);
    }

    [Fact]
    public void Empty_keys_and_empty_values_are_SUCCESS_without_payload()
    {
        var vm = new TestVm(new() { ["customer_metadata"] = new System.Text.Json.Nodes.JsonObject { ["e"] = "" } });
        Assert.Equal("V2 16 a051cef1 12345678 SUCCESS\n", new TestVm(new()).Exchange("V2 13 3d6e4dd7 12345678 KEYS\n"));
        Assert.Equal(Frames.Reply("00000001", "SUCCESS") + "\n", vm.Exchange(Frames.Request("00000001", "GET", "e") + "\n"));
    }

    [Fact]
    public void Put_stores_and_the_value_reads_back_byte_for_byte()
    {
        string value = "line one\n.dot line\n\ttabbed ünïcødé ✓\n";
        string reply = _vm.Exchange(Frames.Put("00c0ffee", "my-key", value) + "\n" + Frames.Request("00c0ffe1", "GET", "my-key") + "\n");
        Assert.Equal(Frames.Reply("00c0ffee", "SUCCESS", "OK") + "\n" + Frames.Reply("00c0ffe1", "SUCCESS", value) + "\n", reply);
        var update = System.Text.Json.Nodes.JsonNode.Parse(_vm.Updates.Single())!.AsObject();
        Assert.Equal(value, update["set_customer_metadata"]!["my-key"]!.GetValue<string>());
    }

    [Fact]
    public void Put_with_a_value_that_decodes_to_nothing_removes_the_key()
    {
        string payload = Convert.ToBase64String("dXNlci1zY3JpcHQ= ="u8.ToArray());
        Assert.Equal(Frames.Reply("00000002", "SUCCESS", "OK") + "\n", _vm.Exchange(Frames.Frame("00000002 PUT " + payload) + "\n"));
        Assert.Equal("""{"remove_customer_metadata":["user-script"]}""", _vm.Updates.Single());
        Assert.Null(_vm.Vm["customer_metadata"]!["user-script"]);
    }

    [Fact]
    public void Put_of_an_empty_string_is_an_invalid_request_as_on_SmartOS()
    {
        // mdata-put k "" sends base64("k") + " " + "", which the agent trims to a single term.
        Assert.Equal(Frames.Reply("00000002", "FAILURE", "Invalid PUT Request") + "\n", _vm.Exchange(Frames.Put("00000002", "user-script", "") + "\n"));
        Assert.Empty(_vm.Updates);
    }

    [Fact]
    public void Delete_of_an_absent_key_succeeds()
    {
        Assert.Equal(Frames.Reply("00000003", "SUCCESS", "OK") + "\n", _vm.Exchange(Frames.Request("00000003", "DELETE", "never-was") + "\n"));
    }

    [Theory]
    [InlineData("aGVsbG8=")]                    // one term
    [InlineData("aGVsbG8=  d29ybGQ=")]          // two spaces: three terms
    [InlineData("aGVsbG8= d29ybGQ= eA==")]
    [InlineData(" d29ybGQ=")]                   // trimmed to one term
    public void Malformed_put_payloads_fail(string payload)
    {
        string reply = _vm.Exchange(Frames.Frame("00000004 PUT " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(payload))) + "\n");
        Assert.Equal(Frames.Reply("00000004", "FAILURE", "Invalid PUT Request") + "\n", reply);
    }

    [Fact]
    public void A_failing_update_answers_FAILURE_with_its_message()
    {
        _vm.FailWith = "zone is being deleted";
        Assert.Equal(Frames.Reply("00000005", "FAILURE", "zone is being deleted") + "\n", _vm.Exchange(Frames.Put("00000005", "k", "v") + "\n"));
    }

    [Theory]
    [InlineData("V2 29 63185241 0badf00d GET dXNlci1zY3JpcHQ=")]   // CRC off by one
    [InlineData("V2 29 63185240 0badf00e GET dXNlci1zY3JpcHQ=")]   // body changed
    [InlineData("V2 28 63185240 0badf00d GET dXNlci1zY3JpcHQ=")]   // length wrong
    [InlineData("V2 0 63185240 0badf00d GET dXNlci1zY3JpcHQ=")]
    [InlineData("V2 29 63185240 0BADF00D GET dXNlci1zY3JpcHQ=")]   // upper-case request id
    [InlineData("V2 29 6318524 0badf00d GET dXNlci1zY3JpcHQ=")]    // CRC not 8 digits
    [InlineData("V2 29 63185240")]
    [InlineData("V2")]
    [InlineData("V2 x 63185240 0badf00d GET dXNlci1zY3JpcHQ=")]
    [InlineData("V2 99999999999999999999 63185240 0badf00d GET")]
    [InlineData("V2 8 c6d3a4f7 12345678")]
    public void Bad_frames_are_dropped_silently(string frame)
    {
        Assert.Equal("", _vm.Exchange(frame + "\n"));
    }

    [Fact]
    public void Whitespace_is_as_lenient_as_the_agent()
    {
        // Several separators and a trailing CR (CRLF clients): the body is re-joined with one space.
        string body = "0badf00d GET dXNlci1zY3JpcHQ=";
        string crc = $"{Frames.Crc32(System.Text.Encoding.ASCII.GetBytes(body)):x8}";
        string reply = _vm.Exchange($"V2  29\t{crc}   0badf00d \t GET dXNlci1zY3JpcHQ=  \r\n");
        Assert.Equal("V2 41 0fe8e4f7 0badf00d SUCCESS IyEvYmluL3NoCmVjaG8gaGkK\n", reply);
    }

    [Fact]
    public void Unknown_operations_fail_with_the_agent_message()
    {
        Assert.Equal(Frames.Reply("00000006", "FAILURE", "Unknown command FROB") + "\n", _vm.Exchange(Frames.Request("00000006", "FROB") + "\n"));
    }

    [Fact]
    public void Pipelined_requests_are_answered_in_order()
    {
        string input = string.Concat(Enumerable.Range(0, 50).Select(i => Frames.Request($"{i:x8}", "GET", "sdc:alias") + "\n"));
        string expected = string.Concat(Enumerable.Range(0, 50).Select(i => Frames.Reply($"{i:x8}", "SUCCESS", "web01") + "\n"));
        Assert.Equal(expected, _vm.Exchange(input, chunk: 7));
    }

    [Fact]
    public void Client_parser_accepts_host_frames_and_rejects_corruption()
    {
        Assert.True(MetadataCodec.TryParseFrame("V2 21 265ae1d8 dc4fae17 SUCCESS W10="u8, out var frame));
        Assert.Equal(("dc4fae17", "SUCCESS", "[]"), (frame!.RequestId, frame.Word, System.Text.Encoding.ASCII.GetString(frame.Payload)));
        Assert.True(MetadataCodec.TryParseFrame("V2 17 905343a0 0badf00d NOTFOUND"u8, out frame));
        Assert.Empty(frame!.Payload);
        Assert.False(MetadataCodec.TryParseFrame("V2 21 265ae1d9 dc4fae17 SUCCESS W10="u8, out _));
        Assert.False(MetadataCodec.TryParseFrame("V2 22 265ae1d8 dc4fae17 SUCCESS W10="u8, out _));
        Assert.False(MetadataCodec.TryParseFrame("invalid command"u8, out _));
    }

    [Fact]
    public void Request_frames_match_what_mdata_client_and_cloud_init_send()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        MetadataCodec.WriteV2Frame("0badf00d", "GET", "user-script"u8, hasPayload: true, output);
        Assert.Equal("V2 29 63185240 0badf00d GET dXNlci1zY3JpcHQ=\n", System.Text.Encoding.ASCII.GetString(output.WrittenSpan));
        output.ResetWrittenCount();
        MetadataCodec.WriteV2Frame("12345678", "KEYS", [], hasPayload: false, output);
        Assert.Equal("V2 13 3d6e4dd7 12345678 KEYS\n", System.Text.Encoding.ASCII.GetString(output.WrittenSpan));
        output.ResetWrittenCount();
        MetadataCodec.WriteV2Frame("cafebabe", "PUT", MetadataCodec.PutArgument("hello"u8, "world"u8), hasPayload: true, output);
        Assert.Equal("V2 37 cfdb4c39 cafebabe PUT YUdWc2JHOD0gZDI5eWJHUT0=\n", System.Text.Encoding.ASCII.GetString(output.WrittenSpan));
    }
}
