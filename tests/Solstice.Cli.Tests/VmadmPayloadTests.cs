using System.Text;
using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>
/// vmadm's own handling of payloads and command lines, before any daemon is involved (issue 12 §5, §6): the
/// socket points nowhere, so a command that got as far as connecting would say so.
/// </summary>
public sealed class VmadmPayloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("solstice-vmadm-").FullName;

    private CliOutcome Vmadm(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin)), () => new MemoryStream(),
            ConfigPath: Path.Combine(_dir, "node.json"), SocketPath: Path.Combine(_dir, "absent.sock"));
        int code = Program.Run("vmadm", args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), []);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_from_a_directory_says_so()
    {
        var result = Vmadm("", "create", "-f", _dir);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"Error reading: {_dir}: it is a directory, not a JSON payload file\n", result.Error);
    }

    [Fact]
    public void Create_from_a_missing_file_says_so_as_vmadm_does()
    {
        var result = Vmadm("", "create", "-f", Path.Combine(_dir, "nope.json"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"File: {Path.Combine(_dir, "nope.json")} does not exist.\n", result.Error);
    }

    [Theory]
    [InlineData("{\"alias\":\"\\ud800\"}", "Invalid JSON payload at line 1, column 10: a string is not valid Unicode (it holds a lone UTF-16 surrogate escape)")]
    [InlineData("{\"alias\":\"a\",\"alias\":\"b\"}", "Invalid JSON payload at line 1, column 14: the key \"alias\" appears twice in one object")]
    [InlineData("{\"alias\": nope}", "Invalid JSON payload: malformed JSON at line 1, column 12")] // the reader stops after the first letter
    [InlineData("", "Invalid JSON payload: the document is empty")]
    public void Bad_payload_text_is_a_sentence_and_exit_1_never_a_crash(string payload, string message)
    {
        foreach (string[] args in new[] { new[] { "create" }, ["update", "54f1cc77-68f1-42ab-acac-5c4f64f5d6e0"], ["validate", "create"] })
        {
            var result = Vmadm(payload, args);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal(message + "\n", result.Error);
        }
    }

    [Fact]
    public void An_unknown_command_is_named_as_vmadm_names_it()
    {
        var result = Vmadm("", "frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("vmadm: Invalid command: \"frobnicate\".\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_without_a_daemon_prints_all_three_arrays_with_smartos_names()
    {
        var result = Vmadm("""
            {"image_uuid": "5a5d1c0a-5a4b-11e8-bd8d-6b4b3e2e5b8c", "bogus": 1,
             "nics": [{"nic_tag": "a", "mtu": 100}], "fs_allowed": ["BAD"], "customer_metadata": {"k": [1]}}
            """, "validate", "create");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("""
            {
              "bad_values": [
                "nics.*.mtu",
                "fs_allowed",
                "customer_metadata"
              ],
              "bad_properties": [
                "bogus"
              ],
              "missing_properties": []
            }

            """, result.Error);
        var valid = Vmadm("""{"image_uuid": "5a5d1c0a-5a4b-11e8-bd8d-6b4b3e2e5b8c"}""", "validate", "create");
        Assert.Equal((0, "VALID 'create' payload for joyent brand VMs.\n"), (valid.ExitCode, valid.Error));
    }

    [Fact]
    public void Validate_update_needs_a_brand()
    {
        var result = Vmadm("{}", "validate", "update");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Will not validate without a valid action and brand.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Anything_a_command_lets_escape_becomes_one_sentence()
    {
        Assert.Equal("malformed JSON at line 3, column 5", Program.Describe(new System.Text.Json.JsonException("x", null, 2, 4)));
        Assert.Equal("/x/y: no such file", Program.Describe(new FileNotFoundException("m", "/x/y")));
        Assert.StartsWith("unexpected InvalidOperationException: ", Program.Describe(new InvalidOperationException("boom")), StringComparison.Ordinal);
    }
}
