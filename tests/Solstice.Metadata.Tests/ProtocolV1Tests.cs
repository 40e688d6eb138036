using System.Text.Json.Nodes;
using Solstice.Metadata.Tests.Support;

namespace Solstice.Metadata.Tests;

/// <summary>Legacy (V1) lines and the bare-line answers: exact bytes in and out.</summary>
public class ProtocolV1Tests
{
    private readonly TestVm _vm = new();

    [Theory]
    [InlineData("\n", "invalid command\n")]
    [InlineData("   \t\n", "invalid command\n")]
    [InlineData("\r\n", "invalid command\n")]
    [InlineData(" GET user-script\n", "invalid command\n")]
    [InlineData("GET\n", "invalid command\n")]
    [InlineData("GET   \n", "invalid command\n")]
    [InlineData("GET \rfoo\n", "invalid command\n")]
    [InlineData("NEGOTIATE\n", "invalid command\n")]
    [InlineData("NEGOTIATE V2\n", "V2_OK\n")]
    [InlineData("NEGOTIATE V2\r\n", "V2_OK\n")]
    [InlineData("NEGOTIATE V3\n", "FAILURE\n")]
    [InlineData("NEGOTIATE  V2\n", "FAILURE\n")]
    [InlineData("GET nope\n", "NOTFOUND\n")]
    [InlineData("GET user-script\n", "SUCCESS\n#!/bin/sh\necho hi\n\n.\n")]
    [InlineData("GET  user-script \r\n", "SUCCESS\n#!/bin/sh\necho hi\n\n.\n")]
    [InlineData("GET\tsdc:alias\n", "SUCCESS\nweb01\n.\n")]
    [InlineData("GET sdc:resolvers\n", "SUCCESS\n[\"8.8.8.8\",\"8.8.4.4\"]\n.\n")]
    [InlineData("GET sdc:tags\n", "FAILURE\n")]
    [InlineData("GET root_pw\n", "SUCCESS\ns3cret\n.\n")]
    [InlineData("KEYS\n", "SUCCESS\nuser-script\nroot_authorized_keys\nroot_pw\ndocker:cmd\n.\n")]
    [InlineData("KEYS whatever\n", "SUCCESS\nuser-script\nroot_authorized_keys\nroot_pw\ndocker:cmd\n.\n")]
    [InlineData("PUT a b\n", "FAILURE\n")]
    [InlineData("DELETE user-script\n", "FAILURE\n")]
    [InlineData("get user-script\n", "FAILURE\n")]
    [InlineData("V2_OK\n", "FAILURE\n")]
    [InlineData("GET ünïcødé\n", "NOTFOUND\n")]
    public void Lines_get_the_agent_answers(string input, string output)
    {
        Assert.Equal(output, _vm.Exchange(input));
    }

    [Fact]
    public void Values_are_dot_stuffed()
    {
        var vm = new TestVm(new() { ["customer_metadata"] = new JsonObject { ["dots"] = ".hidden\n.x\nnormal.\n..two\r.cr" } });
        Assert.Equal("SUCCESS\n..hidden\n..x\nnormal.\n...two\r..cr\n.\n", vm.Exchange("GET dots\n"));
    }

    [Fact]
    public void An_empty_value_is_an_empty_block()
    {
        Assert.Equal("SUCCESS\n\n.\n", _vm.Exchange("GET empty\n".Replace("empty", "sdc:empty")));
    }

    [Fact]
    public void Non_ascii_keys_are_looked_up_as_text()
    {
        var vm = new TestVm(new() { ["customer_metadata"] = new JsonObject { ["ключ"] = "значение" } });
        Assert.Equal("SUCCESS\nзначение\n.\n", vm.Exchange("GET ключ\n"));
    }

    [Fact]
    public void V1_and_V2_and_resets_mix_on_one_connection()
    {
        string input = "\nNEGOTIATE V2\n" + Frames.Request("00000001", "GET", "sdc:hostname") + "\n\nGET sdc:hostname\n";
        string output = "invalid command\nV2_OK\n" + Frames.Reply("00000001", "SUCCESS", "web01") + "\ninvalid command\nSUCCESS\nweb01\n.\n";
        Assert.Equal(output, _vm.Exchange(input));
    }

    [Fact]
    public void The_last_line_without_newline_is_not_answered()
    {
        Assert.Equal("NOTFOUND\n", _vm.Exchange("GET a\nGET b"));
    }
}
