using Solstice.TestKit;

namespace Solstice.Cli.Tests;

/// <summary>Runs the multi-call CLI in-process against a given node config.</summary>
public static class CliHarness
{
    public static CliOutcome Run(string configPath, string tool, params string[] args) => Run(configPath, tool, [], args);

    public static CliOutcome Run(string configPath, string tool, byte[] stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var binary = new MemoryStream();
        var context = new CliContext(output, error, () => new MemoryStream(stdin), () => new NonClosingStream(binary), configPath);
        int code = Program.Run(tool, args, context);
        return new CliOutcome(code, output.ToString(), error.ToString(), binary.ToArray());
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
