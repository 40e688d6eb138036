using System.Runtime.InteropServices;
using System.Text;
using Solstice.Instances.Statfs;

namespace Solstice.Instances.Tests.Statfs;

/// <summary>The path reader against this process's own memory (process_vm_readv on oneself needs no privilege).</summary>
public unsafe class LinuxStatfsHostTests
{
    private static readonly LinuxStatfsHost s_host = new(-1);

    [Fact]
    public void Reads_a_path_that_crosses_a_page_boundary()
    {
        byte* pages = (byte*)NativeMemory.AlignedAlloc(8192, 4096);
        try
        {
            byte[] path = Encoding.UTF8.GetBytes("/var/tmp/across-the-boundary\0");
            byte* start = pages + 4096 - 10;
            path.CopyTo(new Span<byte>(start, path.Length));
            Assert.Equal(path, s_host.ReadPath(Environment.ProcessId, (ulong)start));
        }
        finally
        {
            NativeMemory.AlignedFree(pages);
        }
    }

    [Fact]
    public void A_path_without_a_nul_in_path_max_bytes_is_refused()
    {
        byte* pages = (byte*)NativeMemory.AlignedAlloc(3 * 4096, 4096);
        try
        {
            new Span<byte>(pages, 3 * 4096).Fill((byte)'a');
            Assert.Null(s_host.ReadPath(Environment.ProcessId, (ulong)(pages + 100)));
        }
        finally
        {
            NativeMemory.AlignedFree(pages);
        }
    }

    [Fact]
    public void An_unmapped_address_is_refused()
    {
        Assert.Null(s_host.ReadPath(Environment.ProcessId, 0));
        Assert.Null(s_host.ReadPath(Environment.ProcessId, ulong.MaxValue - 2));
    }
}
