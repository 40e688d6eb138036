using Solstice.Benchmarks;

// Benchmarks print figures; they assert nothing (tests stay deterministic).
string suite = args.Length > 0 ? args[0] : "all";
int iterations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
if (Environment.UserName != "root")
{
    Console.Error.WriteLine("benchmarks need root (loop devices, btrfs, runc)");
    return 2;
}
if (suite is "storage" or "all")
    StorageBenchmarks.Run(iterations);
if (suite is "zones" or "all")
    ZoneBenchmarks.Run(iterations, density: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
if (suite is "concurrency")
    ConcurrencyBenchmarks.Run(iterations, clients: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
if (suite is "cli-start" or "all")
    CliStartBenchmarks.Run(Math.Max(iterations, 20));
if (suite is "network" or "all")
    NetworkBenchmarks.Run(iterations);
if (suite is "tcp")
    NetworkBenchmarks.RunTcp(iterations, busyReceiverCpu: args.Length > 2 && args[2] == "busy");
if (suite is "nic-density")
    NicDensityBenchmarks.Run(args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300);
if (suite is "metadata" or "all")
    MetadataBenchmarks.Run(iterations);
if (suite is "fresh-images")
    FreshImageBenchmarks.Run(Path.Combine(Repo.Root, "artifacts", "bin", "solstice"), iterations);
if (suite is "observe")
    ObserveBenchmarks.Run(iterations, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
if (suite is "hvm")
    HvmBenchmarks.Run(iterations);
if (suite is "images" or "all")
    ImageBenchmarks.Run(iterations, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
return 0;
