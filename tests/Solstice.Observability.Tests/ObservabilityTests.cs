using Solstice.Observability.Formats;
using Solstice.Observability.Trace;

namespace Solstice.Observability.Tests;

public class ObservabilityTests
{
    private const string Zone = "6dc5da73-e4e5-45b6-80b9-5d2073e9b1ee";
    private const string Other = "0b1d2c3e-1111-4222-8333-944455556666";

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static NodeSampler Sampler(string version) => new(
        CgroupLayout.Detect(Fixture(version)),
        new StaticZoneDirectory([new ZoneInfo(Zone, "web0", "joyent"), new ZoneInfo(Other, null, "lx")]),
        Fixture("proc"));

    [Theory]
    [InlineData("v1", CgroupVersion.V1)]
    [InlineData("v2", CgroupVersion.V2)]
    public void Both_hierarchies_give_the_same_figures(string fixture, CgroupVersion version)
    {
        var layout = CgroupLayout.Detect(Fixture(fixture));
        Assert.Equal(version, layout.Version);
        var s = new CgroupReader(layout).ReadZone(Zone)!;
        Assert.Equal(5_000_000_000, s.CpuUsageNanos);
        Assert.Equal(10000, s.CpuQuotaMicros);
        Assert.Equal(100000, s.CpuPeriodMicros);
        Assert.Equal(450, s.CpuThrottledPeriods);
        Assert.Equal(42_500_000_000, s.CpuThrottledNanos);
        Assert.Equal(50331648 + 4194304, s.RssBytes);
        Assert.Equal(67108864, s.MemoryLimitBytes);
        Assert.Equal(134217728, s.SwapLimitBytes);
        Assert.Equal(1523, s.MemoryCapHits);
        Assert.Equal(2, s.OomKills);
        Assert.Equal(new IoCounters(120, 30, 491520, 122880), s.Io);
        Assert.Equal([101, 102], s.Pids);
        // v1 keeps no count of pages reclaimed under a cgroup's cap; v2's pgsteal is one.
        Assert.Equal(fixture == "v2" ? 2560 * 4096 : null, s.PagedOutBytes);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void A_zone_without_caps_or_with_missing_controllers_reads_as_unknown_not_an_error(string fixture)
    {
        var s = new CgroupReader(CgroupLayout.Detect(Fixture(fixture))).ReadZone(Other)!;
        Assert.Null(s.MemoryLimitBytes);
        Assert.Null(s.CpuQuotaMicros);
        Assert.Null(s.OomKills);
        Assert.Equal([201], s.Pids);
    }

    [Fact]
    public void A_vanished_zone_is_null_and_dropped_from_snapshots()
    {
        var layout = CgroupLayout.Detect(Fixture("v1"));
        Assert.Null(new CgroupReader(layout).ReadZone("ffffffff-ffff-ffff-ffff-ffffffffffff"));
        string root = Path.Combine(Path.GetTempPath(), $"obs-{Guid.NewGuid():N}");
        try
        {
            // Listed (the directory exists) but gone by the time its files are read.
            Directory.CreateDirectory(Path.Combine(root, "memory", "solstice", Zone));
            var node = new NodeSampler(new CgroupLayout(root, CgroupVersion.V1), StaticZoneDirectory.Empty, Fixture("proc")).Sample(SampleParts.All);
            Assert.Equal(["global"], node.Zones.Select(z => z.Name));
            Assert.Contains("global", ZonememstatFormat.Render(node, new ZonememstatOptions()));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Parsers_skip_what_they_do_not_understand()
    {
        Assert.Equal(new Dictionary<string, long> { ["a"] = 1 }, CgroupFiles.FlatKeyed("a 1\nbroken\nb x\n\n"));
        Assert.Null(CgroupFiles.Single("garbage"));
        Assert.Equal(long.MaxValue, CgroupFiles.Single("max\n"));
        Assert.Null(CgroupFiles.CpuMax("1 2 3"));
        Assert.Null(ProcFiles.ParseStat(1, "1 (cut"));
        Assert.Equal("a) b", ProcFiles.ParseStat(7, "7 (a) b) S 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 100 2 0")!.Command);
    }

    [Fact]
    public void Zone_processes_include_nested_cgroups_and_the_rest_are_global()
    {
        var node = Sampler("v1").Sample(SampleParts.All);
        var zone = node.Zones.Single(z => z.Name == Zone);
        Assert.Equal([101, 102, 103], zone.Processes.Select(p => p.Pid).Order());
        Assert.Equal(2, zone.ZoneId); // zone ids follow uuid order
        Assert.Equal("web0", zone.Alias);
        Assert.Equal([1], node.Zones[0].Processes.Select(p => p.Pid));
        Assert.Equal(new NicCounters("net0", 123456, 789, 65432, 321), Assert.Single(zone.Nics));
    }

    [Theory]
    [InlineData("zonememstat", "v1")]
    [InlineData("zonememstat-a-t-O", "v1")]
    [InlineData("zonememstat", "v2")]
    [InlineData("prstat-Z", "v1")]
    [InlineData("vfsstat-Z", "v1")]
    [InlineData("ziostat-Z", "v1")]
    [InlineData("kstat", "v1")]
    [InlineData("kstat", "v2")]
    public void Tables_match_the_golden_files(string tool, string fixture)
    {
        var node = Sampler(fixture).Sample(SampleParts.All) with { CpuCount = 2 };
        var io = new IoStatOptions { AllZones = true };
        string text = tool switch
        {
            "zonememstat" => ZonememstatFormat.Render(node, new ZonememstatOptions()),
            "zonememstat-a-t-O" => ZonememstatFormat.Render(node, new ZonememstatOptions { Alias = true, Total = true, Oom = true, KnownAliases = ["web0"] }),
            "prstat-Z" => PrstatFormat.Render(node, null, 15, 5, uid => uid == 0 ? "root" : uid.ToString()),
            "vfsstat-Z" => VfsstatFormat.Render(node, null, io),
            "ziostat-Z" => ZiostatFormat.Render(node, null, io),
            _ => KstatFormat.Render(KstatFormat.Collect(node, null)),
        };
        Golden.Check($"{tool}.{fixture}.txt", text);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void Zonememstat_from_the_memory_files_alone_is_the_same_table(string fixture)
    {
        var node = Sampler(fixture).Sample(SampleParts.Cgroups | SampleParts.MemoryOnly);
        Golden.Check($"zonememstat.{fixture}.txt", ZonememstatFormat.Render(node, new ZonememstatOptions()));
    }

    [Fact]
    public void Size_time_and_percent_follow_prutil()
    {
        Assert.Equal("9999K", PrstatFormat.Size(9999));
        Assert.Equal("  10M", PrstatFormat.Size(10000));
        Assert.Equal("  10G", PrstatFormat.Size(10000L * 1024));
        Assert.Equal("  1:01:01", PrstatFormat.Time(3661));
        Assert.Equal("9.9", PrstatFormat.Pct(9.94));
        Assert.Equal("10", PrstatFormat.Pct(9.95));
        Assert.Equal("100", PrstatFormat.Pct(250));
        Assert.Equal("7.11193", CFormat.AwkNumber(7.111934));
        Assert.Equal("50", CFormat.AwkNumber(50));
        Assert.Equal("1e-05", CFormat.AwkNumber(0.00001));
    }

    [Fact]
    public void Trace_programs_get_zonename_and_zone_predicates()
    {
        string program = """
            // count opens: zonename in a comment stays
            tracepoint:syscalls:sys_enter_openat /pid != 1/ { @[zonename, "zonename"] = count(); }
            uprobe:/bin/sh:readline { printf("%s\n", zonename); }
            BEGIN { printf("hi\n"); }
            END { printf("bye\n"); }
            interval:s:3 { exit(); }
            """;
        string built = TraceProgram.Build(program, [new TraceZone(1, "web0", [101, 102])], [1]);
        Assert.Contains("@__zname[1] = \"web0\";", built);
        Assert.Contains("@__zn[101] = 1;", built);
        Assert.Contains("tracepoint:syscalls:sys_enter_openat /(@__zn[tid] == 1) && (pid != 1)/ { @[@__zname[@__zn[tid]], \"zonename\"] = count(); }", built);
        Assert.Contains("uprobe:/bin/sh:readline /@__zn[tid] == 1/ {", built);
        Assert.Contains("// count opens: zonename in a comment stays", built);
        Assert.Contains("BEGIN { printf(\"hi\\n\"); }", built);
        Assert.Contains("END { printf(\"bye\\n\"); }", built);
        Assert.Contains("interval:s:3 { exit(); }", built);
        // With no zone running the task map is still typed, so bpftrace accepts lookups in it.
        Assert.Contains("@__zn[0] = 0;", TraceProgram.Build("tracepoint:raw_syscalls:sys_enter { @[zonename] = count(); }", [], null));
    }

    [Fact]
    public void Every_ready_script_builds()
    {
        foreach (var (name, (_, program)) in TraceScripts.All)
        {
            string built = TraceProgram.Build(program, [], [0]);
            Assert.DoesNotContain(" zonename", built.Replace("\"ZONE\"", ""));
            Assert.False(string.IsNullOrWhiteSpace(built), name);
        }
    }
}

internal static class Golden
{
    public static void Check(string name, string actual)
    {
        string source = Path.Combine(SourceDirectory(), "Golden", name);
        if (Environment.GetEnvironmentVariable("SOLSTICE_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            return;
        }
        Assert.True(File.Exists(source), $"missing golden file {source}; run with SOLSTICE_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(source), actual);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
