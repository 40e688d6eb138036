using System.ComponentModel;
using System.Diagnostics;
using Solstice.Core;

namespace Solstice.Images.Compression;

/// <summary>
/// A write-only stream compressing through a host tool ("xz -c" and so on): what is written goes
/// to the tool's stdin, its stdout is copied to output on a background thread. Dispose closes
/// stdin, waits for the tool and throws IOException when it failed.
/// </summary>
internal sealed class PipeCompressStream : Stream
{
    private readonly Process _process;
    private readonly Thread _pump;
    private readonly Task<string> _stderr;
    private readonly string _tool;
    private Exception? _pumpFailure;
    private bool _closed;

    public PipeCompressStream(IReadOnlyList<string> argv, Stream output)
    {
        _tool = argv[0];
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in argv.Skip(1))
            info.ArgumentList.Add(arg);
        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {_tool}");
        }
        catch (Win32Exception ex)
        {
            throw new SolsticeException(ErrorCode.Unavailable, $"cannot run '{_tool}': {ex.Message} (is it installed?)", ex);
        }
        _stderr = _process.StandardError.ReadToEndAsync();
        _pump = new Thread(() =>
        {
            try
            {
                _process.StandardOutput.BaseStream.CopyTo(output, 1 << 17);
            }
            catch (IOException ex)
            {
                _pumpFailure = ex;
            }
        }) { IsBackground = true, Name = $"{_tool} stdout" };
        _pump.Start();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => _process.StandardInput.BaseStream.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => _process.StandardInput.BaseStream.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => _process.StandardInput.BaseStream.Write(buffer);

    /// <summary>Ends the input and waits for the tool; throws when it failed.</summary>
    public void Finish()
    {
        if (_closed)
            return;
        _closed = true;
        _process.StandardInput.Close();
        _pump.Join();
        _process.WaitForExit();
        if (_process.ExitCode != 0)
            throw new IOException($"{_tool}: {_stderr.GetAwaiter().GetResult().Trim()} (exit status {_process.ExitCode})");
        if (_pumpFailure is not null)
            throw new IOException($"writing {_tool}'s output: {_pumpFailure.Message}", _pumpFailure);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_closed && !_process.HasExited)
            {
                _closed = true;
                try
                {
                    _process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
                _process.WaitForExit();
                _pump.Join();
            }
            _process.Dispose();
        }
        base.Dispose(disposing);
    }
}
