using System.ComponentModel;
using System.Diagnostics;
using Solstice.Core;

namespace Solstice.Images.Compression;

/// <summary>
/// Reads the stdout of a decompressor whose stdin is fed from input on a background thread.
/// At end of output the tool's exit status is checked: a non-zero exit (corrupt or truncated
/// input) surfaces as InvalidDataException carrying the tool's stderr. Disposing early kills it.
/// </summary>
internal sealed class PipeDecompressStream : ReadOnlyStream
{
    private readonly Process _process;
    private readonly Thread _pump;
    private readonly Task<string> _stderr;
    private readonly string _tool;
    // Tar headers are read 512 bytes at a time: unbuffered, each would be a read(2) on the pipe.
    private readonly BufferedStream _output;
    private Exception? _pumpFailure;
    private bool _finished;

    public PipeDecompressStream(IReadOnlyList<string> argv, Stream input)
    {
        _tool = argv[0];
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        _output = new BufferedStream(_process.StandardOutput.BaseStream, 1 << 17);
        _pump = new Thread(() => Pump(input)) { IsBackground = true, Name = $"{_tool} stdin" };
        _pump.Start();
    }

    private void Pump(Stream input)
    {
        try
        {
            input.CopyTo(_process.StandardInput.BaseStream, 1 << 17);
            _process.StandardInput.Close();
        }
        catch (IOException ex)
        {
            // EPIPE: the tool stopped reading, so it failed or was killed; its exit status says which.
            _pumpFailure = ex;
        }
        catch (ObjectDisposedException ex)
        {
            _pumpFailure = ex;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        int read = _output.Read(buffer);
        if (read == 0 && buffer.Length > 0 && !_finished)
        {
            _finished = true;
            _process.WaitForExit();
            _pump.Join();
            if (_process.ExitCode != 0)
            {
                string message = _stderr.GetAwaiter().GetResult().Trim();
                throw new InvalidDataException($"{_tool}: {(message.Length > 0 ? message : $"exit status {_process.ExitCode}")}");
            }
            if (_pumpFailure is not null)
                throw new IOException($"feeding {_tool}: {_pumpFailure.Message}", _pumpFailure);
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Exited between the check and the kill.
                }
            }
            _process.WaitForExit();
            _pump.Join();
            _process.Dispose();
        }
        base.Dispose(disposing);
    }
}
