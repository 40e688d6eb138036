using System.Text;
using Solstice.Instances.Statfs;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Tests.Statfs;

public class StatfsResponderTests
{
    private const long GiB = 1L << 30;
    private const ulong PathAddress = 0x1000;
    private const ulong BufferAddress = 0x2000;

    private sealed class FakeHost : IStatfsHost
    {
        public Dictionary<string, StatfsTarget> Paths { get; } = [];
        public Dictionary<int, StatfsTarget> Descriptors { get; } = [];
        public byte[]? Path { get; set; }
        public int ValidChecks { get; private set; }
        public int InvalidAfter { get; set; } = int.MaxValue;
        public bool WriteFails { get; set; }
        public Libc.StatFsBuffer? Written { get; private set; }
        public List<string> Calls { get; } = [];

        public bool IsValid(ulong id) => ++ValidChecks <= InvalidAfter;

        public byte[]? ReadPath(int pid, ulong address)
        {
            Calls.Add("read");
            return address == PathAddress ? Path : null;
        }

        public StatfsTarget? StatPath(SeccompNotification notification, byte[] path)
        {
            Calls.Add("statpath");
            return Paths.TryGetValue(Encoding.UTF8.GetString(path, 0, path.Length - 1), out var t) ? t : null;
        }

        public StatfsTarget? StatDescriptor(SeccompNotification notification, int fd)
        {
            Calls.Add("statfd");
            return Descriptors.TryGetValue(fd, out var t) ? t : null;
        }

        public bool Write(int pid, ulong address, Libc.StatFsBuffer answer)
        {
            Calls.Add("write");
            if (WriteFails || address != BufferAddress)
                return false;
            Written = answer;
            return true;
        }
    }

    private static readonly StatfsTarget s_zoneRoot = new(0, 52, StatfsQuotaTests.Pool());

    private static ZoneDataset Zone(long? limit = GiB, long used = 256L << 20) =>
        new(0, 52, _ => new QgroupUsage(used, used, limit));

    private static SeccompNotification Statfs(uint arch = SeccompNotify.ArchX8664, int nr = SeccompNotify.SysStatfs) =>
        new(Id: 7, Pid: 4242, Nr: nr, Arch: arch, Arg0: PathAddress, Arg1: BufferAddress);

    private static SeccompNotification Fstatfs(ulong fd) =>
        new(Id: 7, Pid: 4242, Nr: SeccompNotify.SysFstatfs, Arch: SeccompNotify.ArchX8664, Arg0: fd, Arg1: BufferAddress);

    private static byte[] Bytes(string path) => Encoding.UTF8.GetBytes(path + "\0");

    private static FakeHost HostWithRoot()
    {
        var host = new FakeHost { Path = Bytes("/") };
        host.Paths["/"] = s_zoneRoot;
        host.Paths["/proc"] = new StatfsTarget(0, 23, new Libc.StatFsBuffer { Type = 0x9fa0, BlockSize = 4096 });
        host.Descriptors[3] = s_zoneRoot;
        return host;
    }

    [Fact]
    public void Statfs_of_the_zone_root_is_answered_from_the_quota()
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Answered, new StatfsResponder(host, Zone()).Decide(Statfs()));
        Assert.Equal((ulong)(GiB / 4096), host.Written!.Value.Blocks);
        Assert.Equal((ulong)((GiB - (256L << 20)) / 4096), host.Written.Value.BlocksAvailable);
    }

    [Fact]
    public void The_notification_is_checked_before_and_after_reading_the_callers_memory_and_before_writing()
    {
        var host = HostWithRoot();
        new StatfsResponder(host, Zone()).Decide(Statfs());
        Assert.Equal(3, host.ValidChecks);
    }

    [Fact]
    public void Fstatfs_of_a_descriptor_on_the_zone_dataset_is_answered()
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Answered, new StatfsResponder(host, Zone()).Decide(Fstatfs(3)));
        Assert.Equal((ulong)(GiB / 4096), host.Written!.Value.Blocks);
    }

    [Theory]
    [InlineData(9UL)]
    [InlineData(1UL << 32)]
    [InlineData(ulong.MaxValue)]
    public void Fstatfs_of_anything_else_goes_to_the_kernel(ulong fd)
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Fstatfs(fd)));
        Assert.Null(host.Written);
    }

    [Fact]
    public void A_zone_without_a_quota_goes_to_the_kernel_without_touching_the_caller()
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone(limit: null)).Decide(Statfs()));
        Assert.Empty(host.Calls);
    }

    [Fact]
    public void A_zone_whose_root_is_not_on_btrfs_goes_to_the_kernel()
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, null).Decide(Statfs()));
        Assert.Empty(host.Calls);
    }

    [Theory]
    [InlineData(0x40000003u, SeccompNotify.SysStatfs)] // i386: its statfs is another number and layout
    [InlineData(SeccompNotify.ArchX8664, SeccompNotify.SysStatfs | 0x40000000)] // x32
    [InlineData(SeccompNotify.ArchX8664, 0)]
    public void Other_architectures_and_syscalls_go_to_the_kernel(uint arch, int nr)
    {
        var host = HostWithRoot();
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs(arch, nr)));
        Assert.Empty(host.Calls);
    }

    [Theory]
    [InlineData("proc")]
    [InlineData("./")]
    [InlineData("")]
    public void Relative_and_empty_paths_go_to_the_kernel(string path)
    {
        var host = HostWithRoot();
        host.Path = Bytes(path);
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs()));
        Assert.DoesNotContain("statpath", host.Calls);
    }

    [Fact]
    public void An_unreadable_path_goes_to_the_kernel()
    {
        var host = HostWithRoot();
        host.Path = null;
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs()));
    }

    [Theory]
    [InlineData("/proc")]
    [InlineData("/nonexistent")]
    public void Another_filesystem_or_a_failed_lookup_goes_to_the_kernel(string path)
    {
        var host = HostWithRoot();
        host.Path = Bytes(path);
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs()));
        Assert.Null(host.Written);
    }

    [Fact]
    public void The_same_device_with_another_filesystem_type_goes_to_the_kernel()
    {
        var host = HostWithRoot();
        host.Paths["/"] = s_zoneRoot with { Statfs = s_zoneRoot.Statfs with { Type = 0xEF53 } };
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_caller_that_went_away_is_not_answered_or_written_to(int validChecks)
    {
        var host = HostWithRoot();
        host.InvalidAfter = validChecks - 1;
        Assert.Equal(StatfsReply.Gone, new StatfsResponder(host, Zone()).Decide(Statfs()));
        Assert.DoesNotContain("write", host.Calls);
    }

    [Fact]
    public void A_failed_write_lets_the_kernel_run_the_call_and_report_its_own_error()
    {
        var host = HostWithRoot();
        host.WriteFails = true;
        Assert.Equal(StatfsReply.Continue, new StatfsResponder(host, Zone()).Decide(Statfs()));
    }

    [Fact]
    public void The_qgroup_is_read_once_per_second_and_a_failed_read_means_no_quota()
    {
        var clock = new ManualClock();
        int reads = 0;
        bool fail = false;
        var zone = new ZoneDataset(0, 52, _ =>
        {
            reads++;
            return fail ? throw new SyscallException("read qgroup", Errno.EIO) : new QgroupUsage(1, 1, GiB);
        }, clock);
        Assert.NotNull(zone.Qgroup(1));
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.NotNull(zone.Qgroup(1));
        Assert.Equal(1, reads);
        fail = true;
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Null(zone.Qgroup(1));
        Assert.Equal(2, reads);
    }

    [Fact]
    public void The_answer_budget_lets_a_burst_through_then_paces_the_caller()
    {
        var clock = new ManualClock();
        var slept = TimeSpan.Zero;
        var budget = new AnswerBudget(perSecond: 100, burst: 10, clock, d => { slept += d; clock.Advance(d); });
        for (int i = 0; i < 10; i++)
            budget.Take();
        Assert.Equal(TimeSpan.Zero, slept);
        for (int i = 0; i < 100; i++)
            budget.Take();
        Assert.InRange(slept.TotalSeconds, 0.99, 1.01);
    }

    internal sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
